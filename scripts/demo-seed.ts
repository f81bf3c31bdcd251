import type { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import {
  CONSOLE_ROLES,
  ConsoleRepository,
  EstablishmentRepository,
  TerminalRepository,
  TransactionContext,
  hashPassword,
  newTerminal,
  oneTimePassword,
} from '@diapason/persistence';
import { TerminalModel, parseTransportUrl, transportKey } from '@diapason/terminal-bridge';

export const DEMO_ESTABLISHMENT = 'DEMO';
export const DEMO_REGIE = 'REGIE-DEMO';

/** The demo establishment of `npm start`, with a régie whose contact details appear in notices. */
export async function seedDemo(dataSource: DataSource): Promise<string> {
  const tx = new TransactionContext(dataSource);
  return tx.run(async () => {
    const establishments = new EstablishmentRepository(tx);
    const demo = await establishments.ensure(DEMO_ESTABLISHMENT, 'Centre hospitalier de démonstration');
    const regie = await establishments.findRegie(demo.id, DEMO_REGIE);
    if (!regie) {
      await establishments.upsertRegie(demo.id, DEMO_REGIE, {
        name: 'Régie des recettes — Centre hospitalier de démonstration',
        phone: '01 99 00 12 34',
        email: 'regie@demo.test',
        address: 'Hall d’accueil, rez-de-chaussée',
        openingHours: 'Du lundi au vendredi, de 8 h 30 à 17 h',
      });
    }
    return demo.id;
  });
}

/**
 * Registers (or points anew, since pty paths and ports change at every start) the demo's simulated
 * terminals. The simulators own these loopback addresses while npm start runs: a terminal in service
 * still holding one (an address left from an earlier run) is retired.
 */
export async function registerDemoTerminals(
  dataSource: DataSource,
  terminals: { id: string; label: string; model: TerminalModel; transportUrl: string }[],
): Promise<void> {
  const tx = new TransactionContext(dataSource);
  await tx.run(async () => {
    const establishments = new EstablishmentRepository(tx);
    const repository = new TerminalRepository(tx);
    const demo = (await establishments.findByCode(DEMO_ESTABLISHMENT))!;
    const regieId = await establishments.ensureRegie(demo.id, DEMO_REGIE);
    const now = new Date();
    const keyed = terminals.map((t) => ({ ...t, key: transportKey(parseTransportUrl(t.transportUrl), null) }));
    const demoIds: string[] = [];
    for (const t of keyed) {
      const existing = await repository.findByCode(demo.id, t.id);
      // Each demo terminal lets go of its old address first: this run may give it to another one.
      if (existing) {
        demoIds.push(existing.id);
        await repository.update(existing.id, { transportKey: `moving:${existing.id}` });
      }
    }
    await tx.manager.query(
      `UPDATE terminal SET retired_at = $3, updated_at = $3 WHERE retired_at IS NULL AND transport_key = ANY($1) AND NOT (id = ANY($2::uuid[]))`,
      [keyed.map((t) => t.key), demoIds, now],
    );
    for (const t of keyed) {
      const existing = await repository.findByCode(demo.id, t.id);
      if (existing) {
        await repository.update(existing.id, {
          transportUrl: t.transportUrl,
          transportKey: t.key,
          model: t.model,
          label: t.label,
          busyUntil: null,
          busyWith: null,
          updatedAt: now,
        });
        continue;
      }
      await repository.create(
        newTerminal(
          {
            id: uuidv7(),
            establishmentId: demo.id,
            code: t.id,
            label: t.label,
            model: t.model,
            regieId,
            regieCode: DEMO_REGIE,
            transportUrl: t.transportUrl,
            transportKey: t.key,
            bridgeHost: null,
          },
          now,
        ),
      );
    }
  });
}

/**
 * One local console account per role at the demo establishment (`demo.caissier`, …), created at
 * the first start with a one-time password (returned to be printed once; changed at first login).
 */
export async function seedConsoleUsers(dataSource: DataSource): Promise<{ login: string; password: string | null }[]> {
  const tx = new TransactionContext(dataSource);
  const demo = await new EstablishmentRepository(tx).ensure(DEMO_ESTABLISHMENT, 'Centre hospitalier de démonstration');
  const users = new ConsoleRepository(tx);
  const out: { login: string; password: string | null }[] = [];
  for (const role of CONSOLE_ROLES) {
    const login = `demo.${role}`;
    if (await users.findUserByLogin(demo.id, login)) {
      out.push({ login, password: null });
      continue;
    }
    const password = oneTimePassword();
    await users.createUser({ establishmentId: demo.id, login, roles: [role], passwordHash: await hashPassword(password), mustChangePassword: true });
    out.push({ login, password });
  }
  return out;
}
