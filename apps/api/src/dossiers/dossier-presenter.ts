import { Injectable } from '@nestjs/common';
import { DossierEntity, NoticeRepository, TerminalRepository } from '@diapason/persistence';
import { DossierView, ImprintContext, toDossierView } from './dossier.view';

/** Builds dossier views with their imprint attempts, in two queries whatever the page size. */
@Injectable()
export class DossierPresenter {
  constructor(
    private readonly terminals: TerminalRepository,
    private readonly notices: NoticeRepository,
  ) {}

  async contexts(dossiers: DossierEntity[]): Promise<Map<string, ImprintContext>> {
    const ids = dossiers.map((d) => d.id);
    const [attempts, notices] = await Promise.all([this.terminals.attemptsOf(ids), this.notices.ofDossiers(ids)]);
    const terminals = await this.terminals.findByIds([...new Set(attempts.map((a) => a.terminalId))]);
    const terminalCodes = new Map(terminals.map((t) => [t.id, t.code]));
    const contexts = new Map<string, ImprintContext>(dossiers.map((d) => [d.id, { attempts: [], terminalCodes, notices: [] }]));
    for (const attempt of attempts) contexts.get(attempt.dossierId)?.attempts.push(attempt);
    for (const notice of notices) contexts.get(notice.dossierId)?.notices?.push(notice);
    return contexts;
  }

  async one(dossier: DossierEntity): Promise<DossierView> {
    return (await this.many([dossier]))[0];
  }

  async many(dossiers: DossierEntity[]): Promise<DossierView[]> {
    const contexts = await this.contexts(dossiers);
    return dossiers.map((d) => toDossierView(d, contexts.get(d.id)));
  }
}
