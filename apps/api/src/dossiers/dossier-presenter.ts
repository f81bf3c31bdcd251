import { Injectable } from '@nestjs/common';
import { DossierEntity, TerminalRepository } from '@diapason/persistence';
import { DossierView, ImprintContext, toDossierView } from './dossier.view';

/** Builds dossier views with their imprint attempts, in two queries whatever the page size. */
@Injectable()
export class DossierPresenter {
  constructor(private readonly terminals: TerminalRepository) {}

  async contexts(dossiers: DossierEntity[]): Promise<Map<string, ImprintContext>> {
    const attempts = await this.terminals.attemptsOf(dossiers.map((d) => d.id));
    const terminals = await this.terminals.findByIds([...new Set(attempts.map((a) => a.terminalId))]);
    const terminalCodes = new Map(terminals.map((t) => [t.id, t.code]));
    const contexts = new Map<string, ImprintContext>(dossiers.map((d) => [d.id, { attempts: [], terminalCodes }]));
    for (const attempt of attempts) contexts.get(attempt.dossierId)?.attempts.push(attempt);
    return contexts;
  }

  async one(dossier: DossierEntity): Promise<DossierView> {
    return (await this.many([dossier]))[0]!;
  }

  async many(dossiers: DossierEntity[]): Promise<DossierView[]> {
    const contexts = await this.contexts(dossiers);
    return dossiers.map((d) => toDossierView(d, contexts.get(d.id)));
  }
}
