import type { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { frenchIbanFromRib } from '@diapason/accounting';
import {
  AccountingRepository,
  CONSOLE_ROLES,
  ConsoleRepository,
  EstablishmentRepository,
  MERCHANT_CONTRACT_MODALITIES,
  TerminalRepository,
  TransactionContext,
  hashPassword,
  newTerminal,
  oneTimePassword,
} from '@diapason/persistence';
import { TerminalModel, parseTransportUrl, transportKey } from '@diapason/terminal-bridge';

export const DEMO_ESTABLISHMENT = 'DEMO';
export const DEMO_REGIE = 'REGIE-DEMO';
/** The demo régie's DFT account: a Treasury IBAN (bank code 10071) whose keys check. */
export const DEMO_DFT_IBAN = frenchIbanFromRib('10071', '75000', '00001000123');
/** One merchant contract per modality, all settled on the DFT account. */
export const DEMO_CONTRACTS = MERCHANT_CONTRACT_MODALITIES.map((modality, index) => ({ modality, number: `DEMO-${7000001 + index}` }));

/**
 * The demo establishment of `npm start`, with a régie whose contact details appear in notices, its
 * DFT account and one merchant contract per modality.
 */
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
    await seedDemoAccounting(tx, demo.id);
    return demo.id;
  });
}

async function seedDemoAccounting(tx: TransactionContext, establishmentId: string): Promise<void> {
  const accounting = new AccountingRepository(tx);
  const establishments = new EstablishmentRepository(tx);
  const now = new Date();
  await accounting.insertBankAccount({
    id: uuidv7(),
    establishmentId,
    iban: DEMO_DFT_IBAN,
    label: 'Compte DFT — Régie des recettes de démonstration',
    createdAt: now,
    updatedAt: now,
  });
  const [dft] = await accounting.findBankAccountsByIban(establishmentId, [DEMO_DFT_IBAN]);
  const regieId = await establishments.ensureRegie(establishmentId, DEMO_REGIE);
  if (!(await establishments.findRegieById(regieId))?.dftAccountId) await accounting.setRegieDftAccount(regieId, dft.id);
  for (const { modality, number } of DEMO_CONTRACTS) {
    if (await accounting.findContractByModality(establishmentId, modality)) continue;
    await accounting.insertContract({
      id: uuidv7(),
      establishmentId,
      number,
      modality,
      acquirer: 'Acquéreur simulé (simulators/acquirer)',
      settlementAccountId: dft.id,
      createdAt: now,
    });
  }
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
