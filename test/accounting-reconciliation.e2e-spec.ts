import { frenchIbanFromRib, writeCamt053 } from '@diapason/accounting';
import type { StatementLine } from '@diapason/accounting';
import { DossierSweeps } from '@diapason/lifecycle';
import { createDataSource } from '@diapason/persistence';
import { AccountingModel1795567136553 } from '../migrations/1795567136553-accounting-model';
import { RemittancesReconciliation1795568342937 } from '../migrations/1795568342937-remittances-reconciliation';
import { ApiHarness, startApi } from './support/api-harness';
import { createDossier, driveTo } from './support/fixtures';
import { freshDatabase } from './support/fresh-database';

const DFT_IBAN = frenchIbanFromRib('10071', '75000', '00002000456');
const BANK_IBAN = frenchIbanFromRib('30004', '00821', '00055566677');

const credit = (bookingDate: string, amountCents: number, label: string): StatementLine => ({
  direction: 'credit',
  amountCents,
  bookingDate,
  valueDate: bookingDate,
  label,
  bankReference: null,
  endToEndId: null,
  additionalText: [],
});

const account = (iban: string) => ({ iban, bankCode: null, branchCode: null, accountNumber: null, currency: 'EUR' });

describe('Remittances and reconciliation (issue 11, points 3 and 5)', () => {
  let api: ApiHarness;
  let key: string;
  let dftId: string;
  const dossierIds: string[] = [];

  beforeAll(async () => {
    api = await startApi();
    api.clock.set(new Date('2026-12-31T10:00:00Z'));
    key = await api.createKey('CH-RAPPRO');
    dftId = (await api.request('POST', '/v1/bank-accounts', { key, body: { iban: DFT_IBAN, label: 'DFT' } })).body.id;
    const bank = await api.request('POST', '/v1/bank-accounts', { key, body: { iban: BANK_IBAN, label: 'Banque' } });
    await api.request('PUT', '/v1/regies/REGIE-01', { key, body: { dftAccountId: dftId } });
    await api.request('POST', '/v1/merchant-contracts', { key, body: { number: 'PLBS-9', modality: 'plbs_diapason', acquirer: 'Acquéreur' } });
    await api.request('POST', '/v1/merchant-contracts', {
      key,
      body: { number: 'CT-9', modality: 'proximite_contact', acquirer: 'Acquéreur', settlementAccountId: bank.body.id },
    });
    // Two debits on 31 December, with the acquirer's own transaction references.
    for (const reference of ['TX-1', 'TX-2']) {
      const dossier = await createDossier(api, key);
      const completing = await driveTo(api, dossier.id, 'completing');
      await api.app.get(DossierSweeps).recordCompletionOutcomes(
        [
          {
            dossierId: dossier.id,
            completionKey: completing.completionKey!,
            status: 'approved',
            transactionReference: reference,
            settlementDate: '2026-12-31',
          },
        ],
        api.clock.now(),
        'test',
      );
      dossierIds.push(dossier.id);
    }
  });
  afterAll(() => api?.close());

  it('takes the remittances, links their debits to the journal and flags those that do not add up', async () => {
    const upload = {
      remittances: [
        {
          contract: 'PLBS-9',
          settlementDate: '2026-12-31',
          totalCents: 3500,
          reference: 'REM-2026-1231',
          debits: [
            { transactionReference: 'TX-1', amountCents: 1750 },
            { transactionReference: 'TX-2', amountCents: 1750 },
          ],
        },
        { contract: 'PLBS-9', settlementDate: '2026-12-30', totalCents: 1000, debits: [] },
        { contract: 'CT-9', settlementDate: '2026-12-31', totalCents: 5000, debits: [{ transactionReference: 'TX-9', amountCents: 4000 }] },
      ],
    };
    const res = await api.request('POST', '/v1/remittances', { key, body: upload });
    expect(res.status).toBe(201);
    expect(res.body.imported).toBe(3);
    const [contact, december30, december31] = res.body.data.sort(
      (a: { settlementDate: string; contractNumber: string }, b: { settlementDate: string; contractNumber: string }) =>
        `${a.contractNumber}${a.settlementDate}`.localeCompare(`${b.contractNumber}${b.settlementDate}`),
    );
    expect(contact).toMatchObject({ contractNumber: 'CT-9', flagged: true, journalLines: 0, settlementIban: BANK_IBAN });
    expect(december30).toMatchObject({ flagged: true, debitCount: 0 });
    expect(december31).toMatchObject({ flagged: false, journalLines: 2, settlementIban: DFT_IBAN, creditDate: null });

    const again = await api.request('POST', '/v1/remittances', { key, body: upload });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ imported: 0, alreadyKnown: 3 });
    const unknown = await api.request('POST', '/v1/remittances', {
      key,
      body: { remittances: [{ contract: 'NOPE', settlementDate: '2026-12-31', totalCents: 1, debits: [] }] },
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.code).toBe('unknown_merchant_contract');

    const journal = await api.request('GET', '/v1/journal', { key });
    expect(journal.body.data.map((l: { remittanceId: string }) => l.remittanceId)).toEqual([december31.id, december31.id]);
    expect((await api.request('GET', '/v1/remittances?contract=CT-9', { key })).body.data).toHaveLength(1);
  });

  it('matches the statement credit by reference, dates the encashment in the year of the credit, and lists what is left', async () => {
    api.clock.set(new Date('2027-01-10T10:00:00Z'));
    const statement = writeCamt053(
      {
        format: 'camt053',
        accounts: [
          {
            account: account(DFT_IBAN),
            openingBalance: { date: '2027-01-01', amountCents: 0 },
            closingBalance: { date: '2027-01-05', amountCents: 4499 },
            lines: [credit('2027-01-04', 3500, 'REMISE CB REM-2026-1231'), credit('2027-01-05', 999, 'VIR INCONNU')],
          },
        ],
      },
      { createdAt: '2027-01-06T08:00:00Z' },
    );
    const imported = await api.request('POST', '/v1/statements', { key, rawBody: statement, headers: { 'content-type': 'application/xml' } });
    expect(imported.status).toBe(201);

    const report = await api.request('GET', `/v1/reconciliation?account=${encodeURIComponent(DFT_IBAN)}`, { key });
    expect(report.status).toBe(200);
    expect(report.body.asOf).toBe('2027-01-10');
    expect(report.body.matched).toEqual([
      expect.objectContaining({
        kind: 'reference',
        contractNumber: 'PLBS-9',
        settlementDate: '2026-12-31',
        creditDate: '2027-01-04',
        annualYear: 2027,
        differenceCents: 0,
      }),
    ]);
    expect(report.body.unmatchedLines).toEqual([expect.objectContaining({ amountCents: 999, label: 'VIR INCONNU' })]);
    expect(report.body.overdueRemittances).toEqual([
      expect.objectContaining({ settlementDate: '2026-12-30', expectedBy: '2027-01-05', totalCents: 1000 }),
    ]);
    expect(report.body.debitsMismatches).toEqual([expect.objectContaining({ totalCents: 1000, debitsTotalCents: 0, debitsNotInJournal: 0 })]);

    // The year rule: debited on 31 December 2026, credited on 4 January 2027.
    const journal = await api.request('GET', '/v1/journal', { key });
    expect(journal.body.data.map((l: { debitDate: string; creditedOn: string }) => [l.debitDate, l.creditedOn])).toEqual([
      ['2026-12-31', '2027-01-04'],
      ['2026-12-31', '2027-01-04'],
    ]);
    // Importing the same statement again changes nothing.
    const again = await api.request('POST', '/v1/statements', { key, rawBody: statement, headers: { 'content-type': 'application/xml' } });
    expect(again.status).toBe(200);
    expect((await api.request('GET', `/v1/reconciliation?account=${dftId}`, { key })).body.matched).toHaveLength(1);
  });

  it('draws the annual statement of the year of the credit, not of the debit, as JSON, CSV, XLSX and a PDF to sign', async () => {
    const y2026 = await api.request('GET', '/v1/annual-statements/REGIE-01/2026', { key });
    expect(y2026.status).toBe(200);
    expect(y2026.body).toMatchObject({ year: 2026, count: 0, totalCents: 0, carriedOver: { count: 2, totalCents: 3500 } });
    const y2027 = await api.request('GET', '/v1/annual-statements/REGIE-01/2027', { key });
    expect(y2027.body).toMatchObject({
      regieCode: 'REGIE-01',
      year: 2027,
      count: 2,
      totalCents: 3500,
      byContract: [{ contractNumber: 'PLBS-9', modality: 'plbs_diapason', accountIban: DFT_IBAN, count: 2, totalCents: 3500 }],
      byAccount: [{ accountIban: DFT_IBAN, count: 2, totalCents: 3500 }],
      unreconciled: { count: 0, totalCents: 0, lines: [] },
    });
    expect(y2027.body.lines.map((l: { dossierId: string }) => l.dossierId).sort()).toEqual([...dossierIds].sort());

    const csv = await api.request('GET', '/v1/annual-statements/REGIE-01/2027?format=csv', { key });
    expect(csv.status).toBe(200);
    expect(csv.text).toContain('31/12/2026;Débit PLBS;REGIE-01;PLBS-9;');
    expect(csv.text).toContain(';04/01/2027;');
    const xlsx = await api.request('GET', '/v1/annual-statements/REGIE-01/2027?format=xlsx', { key });
    expect(xlsx.headers.get('content-type')).toMatch(/spreadsheetml/);
    const pdf = await fetch(`${api.url}/v1/annual-statements/REGIE-01/2027?format=pdf`, { headers: { authorization: `Bearer ${key}` } });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');

    expect((await api.request('GET', '/v1/annual-statements/NOPE/2027', { key })).status).toBe(404);
    expect((await api.request('GET', '/v1/annual-statements/REGIE-01/deux', { key })).status).toBe(422);
    expect((await api.request('GET', '/v1/annual-statements/REGIE-01/2027?format=doc', { key })).status).toBe(400);
    const stranger = await api.createKey('CH-AUTRUI');
    expect((await api.request('GET', '/v1/annual-statements/REGIE-01/2027', { key: stranger })).status).toBe(404);
  });

  it('lets an accountant unmatch and match by hand with a reason, and refuses a line of another account', async () => {
    const report = (await api.request('GET', `/v1/reconciliation?account=${dftId}`, { key })).body;
    const matchId = report.matched[0].id as string;
    const unknownLine = report.unmatchedLines[0].id as string;
    const overdue = report.overdueRemittances[0].remittanceId as string;

    const undone = await api.request('POST', `/v1/reconciliation/matches/${matchId}/unmatch`, { key, body: { reason: 'Vérification du crédit' } });
    expect(undone.status).toBe(200);
    const afterUnmatch = (await api.request('GET', `/v1/reconciliation?account=${dftId}`, { key })).body;
    expect(afterUnmatch.matched).toEqual([]);
    expect(afterUnmatch.unmatchedLines).toHaveLength(2);
    expect((await api.request('GET', '/v1/journal', { key })).body.data[0].creditedOn).toBeNull();
    const annual = (await api.request('GET', '/v1/annual-statements/REGIE-01/2027', { key })).body;
    expect(annual).toMatchObject({ count: 0, unreconciled: { count: 2, totalCents: 3500 } });

    const manual = await api.request('POST', '/v1/reconciliation/matches', {
      key,
      body: { remittanceId: overdue, statementLineId: unknownLine, reason: 'Remise du 30/12 créditée sous un autre libellé, 1 centime retenu' },
    });
    expect(manual.status).toBe(201);
    expect(manual.body).toMatchObject({
      kind: 'manual',
      differenceCents: -1,
      creditDate: '2027-01-05',
      reason: expect.stringMatching(/autre libellé/),
    });
    expect(manual.body.matchedBy).toEqual(expect.any(String));
    const twice = await api.request('POST', '/v1/reconciliation/matches', {
      key,
      body: { remittanceId: overdue, statementLineId: unknownLine, reason: 'encore' },
    });
    expect(twice.status).toBe(409);
    const contact = (await api.request('GET', '/v1/remittances?contract=CT-9', { key })).body.data[0].id;
    const crossed = await api.request('POST', '/v1/reconciliation/matches', {
      key,
      body: { remittanceId: contact, statementLineId: afterUnmatch.unmatchedLines[0].id, reason: 'essai' },
    });
    expect(crossed.status).toBe(422);
    expect(crossed.body.code).toBe('account_mismatch');
    expect(
      (await api.request('POST', '/v1/reconciliation/matches', { key, body: { remittanceId: overdue, statementLineId: unknownLine } })).status,
    ).toBe(400);
  });

  it('keeps reconciliation within the establishment and the accounting scope', async () => {
    const stranger = await api.createKey('CH-VOISIN');
    expect((await api.request('GET', `/v1/reconciliation?account=${dftId}`, { key: stranger })).status).toBe(404);
    expect((await api.request('GET', '/v1/remittances', { key: stranger })).body.data).toEqual([]);
    const cashier = await api.createKey('CH-RAPPRO', undefined, ['dossiers']);
    expect((await api.request('GET', `/v1/reconciliation?account=${dftId}`, { key: cashier })).status).toBe(403);
    expect((await api.request('GET', '/v1/remittances', { key: cashier })).status).toBe(403);
  });
});

describe('Accounting migrations', () => {
  it('backfill the journal with the debits completed before it, and go down and up again', async () => {
    const database = await freshDatabase();
    const dataSource = createDataSource({ url: database.url, poolSize: 1, applicationName: 'accounting-migrations-spec' });
    await dataSource.initialize();
    const runner = dataSource.createQueryRunner();
    try {
      await new RemittancesReconciliation1795568342937().down(runner);
      await new AccountingModel1795567136553().down(runner);
      await runner.query(`INSERT INTO establishment (id, code, name) VALUES (gen_random_uuid(), 'CH-OLD', 'CH ancien')`);
      await runner.query(`INSERT INTO regie (id, establishment_id, code, name) SELECT gen_random_uuid(), id, 'R1', 'Régie' FROM establishment`);
      await runner.query(
        `INSERT INTO dossier (id, establishment_id, regie_id, regie_code, gap_dossier_number, status, patient_last_name, patient_first_name,
                              patient_phone, ceiling_cents, amount_cents, completed_at, acquirer_transaction_reference, settlement_date,
                              created_at, updated_at, version)
         SELECT gen_random_uuid(), r.establishment_id, r.id, 'R1', 'GAP-' || s, CASE WHEN s = 1 THEN 'completed' ELSE 'bank_rejected' END,
                'X', 'Y', '+33639980101', 5000, 1234, '2025-12-31T22:30:00Z', 'ACQ-' || s, '2026-01-02', now(), now(), 1
           FROM regie r, generate_series(1, 2) s`,
      );
      await new AccountingModel1795567136553().up(runner);
      await new RemittancesReconciliation1795568342937().up(runner);
      const lines = await runner.query(
        `SELECT gap_dossier_number, amount_cents, transaction_reference, merchant_contract_id, kind FROM journal_line ORDER BY gap_dossier_number`,
      );
      expect(lines).toEqual([
        { gap_dossier_number: 'GAP-1', amount_cents: 1234, transaction_reference: 'ACQ-1', merchant_contract_id: null, kind: 'plbs_completion' },
      ]);
      await expect(
        runner.query(
          `INSERT INTO api_key (id, establishment_id, key_hash, key_prefix, scopes) SELECT gen_random_uuid(), id, repeat('c', 64), 'x', '{accounting}' FROM establishment`,
        ),
      ).resolves.toBeDefined();
    } finally {
      await runner.release();
      await dataSource.destroy();
      await database.drop();
    }
  });
});
