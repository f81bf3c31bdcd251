import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { frenchIbanFromRib } from '@diapason/accounting';
import { TransactionContext } from '@diapason/persistence';
import { DEMO_DFT_IBAN, DEMO_REGIE, seedDemo } from '../scripts/demo-seed';
import { ApiHarness, startApi } from './support/api-harness';
import { createDossier, driveTo } from './support/fixtures';

const DFT_IBAN = frenchIbanFromRib('10071', '75000', '00001000123');
const OTHER_IBAN = frenchIbanFromRib('30004', '00821', '00012345678');

/** The same IBAN with one digit of the account number changed: both keys break. */
function mistyped(iban: string): string {
  const last = iban.at(-5)!;
  return `${iban.slice(0, -5)}${last === '9' ? '0' : String(Number(last) + 1)}${iban.slice(-4)}`;
}

describe('Accounting model: bank accounts, merchant contracts, DFT account (issue 11, point 1)', () => {
  let api: ApiHarness;
  let key: string;

  beforeAll(async () => {
    api = await startApi();
    key = await api.createKey('CH-COMPTA');
  });
  afterAll(() => api?.close());

  it('declares bank accounts with a checked IBAN, refuses a wrong key in French, and lists them', async () => {
    const created = await api.request('POST', '/v1/bank-accounts', {
      key,
      body: { iban: DFT_IBAN.replace(/(.{4})/g, '$1 '), label: 'Compte DFT régie 01' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ iban: DFT_IBAN, label: 'Compte DFT régie 01', treasury: true });

    const wrong = await api.request('POST', '/v1/bank-accounts', { key, body: { iban: mistyped(OTHER_IBAN), label: 'Faux' } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.code).toBe('validation_failed');
    expect(wrong.body.detail).toMatch(/IBAN invalide : La clé de contrôle de l’IBAN est fausse/);
    expect(wrong.body.errors).toEqual([{ field: 'iban', message: expect.stringMatching(/clé de contrôle/) }]);

    const again = await api.request('POST', '/v1/bank-accounts', { key, body: { iban: DFT_IBAN, label: 'Doublon' } });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('bank_account_exists');

    const other = await api.request('POST', '/v1/bank-accounts', { key, body: { iban: OTHER_IBAN, label: 'Banque commerciale' } });
    expect(other.status).toBe(201);
    expect(other.body.treasury).toBe(false);

    const renamed = await api.request('PUT', `/v1/bank-accounts/${other.body.id}`, { key, body: { iban: OTHER_IBAN, label: 'Compte proximité' } });
    expect(renamed.status).toBe(200);
    expect(renamed.body.label).toBe('Compte proximité');
    const clash = await api.request('PUT', `/v1/bank-accounts/${other.body.id}`, { key, body: { iban: DFT_IBAN, label: 'x' } });
    expect(clash.status).toBe(409);

    const list = await api.request('GET', '/v1/bank-accounts', { key });
    expect(list.status).toBe(200);
    expect(list.body.data.map((a: { iban: string }) => a.iban).sort()).toEqual([DFT_IBAN, OTHER_IBAN].sort());
  });

  it('sets the régie’s DFT account, settles contracts on it by default and on another account when multi-domiciliated', async () => {
    const accounts = (await api.request('GET', '/v1/bank-accounts', { key })).body.data as { id: string; iban: string }[];
    const dft = accounts.find((a) => a.iban === DFT_IBAN)!;
    const other = accounts.find((a) => a.iban === OTHER_IBAN)!;

    const noDefault = await api.request('POST', '/v1/merchant-contracts', {
      key,
      body: { number: '7000001', modality: 'plbs_diapason', acquirer: 'Banque acquéreur' },
    });
    expect(noDefault.status).toBe(422);
    expect(noDefault.body.code).toBe('settlement_account_required');

    const regie = await api.request('PUT', '/v1/regies/REGIE-01', { key, body: { name: 'Régie des hospitalisations', dftAccountId: dft.id } });
    expect(regie.status).toBe(200);
    expect(regie.body.dftAccountId).toBe(dft.id);
    expect((await api.request('GET', '/v1/regies', { key })).body.data[0].dftAccountId).toBe(dft.id);
    const unknown = await api.request('PUT', '/v1/regies/REGIE-01', { key, body: { dftAccountId: '0190a000-0000-7000-8000-000000000000' } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.code).toBe('unknown_bank_account');

    const plbs = await api.request('POST', '/v1/merchant-contracts', {
      key,
      body: { number: '7000001', modality: 'plbs_diapason', acquirer: 'Banque acquéreur' },
    });
    expect(plbs.status).toBe(201);
    expect(plbs.body).toMatchObject({ number: '7000001', modality: 'plbs_diapason', settlementAccountId: dft.id, settlementIban: DFT_IBAN });

    const contact = await api.request('POST', '/v1/merchant-contracts', {
      key,
      body: { number: '7000002', modality: 'proximite_contact', acquirer: 'Banque acquéreur', settlementAccountId: other.id },
    });
    expect(contact.status).toBe(201);
    expect(contact.body.settlementIban).toBe(OTHER_IBAN);

    const secondPlbs = await api.request('POST', '/v1/merchant-contracts', {
      key,
      body: { number: '7000009', modality: 'plbs_diapason', acquirer: 'Banque acquéreur' },
    });
    expect(secondPlbs.status).toBe(409);
    expect(secondPlbs.body.code).toBe('modality_has_contract');
    const sameNumber = await api.request('POST', '/v1/merchant-contracts', {
      key,
      body: { number: '7000001', modality: 'vads', acquirer: 'Banque acquéreur' },
    });
    expect(sameNumber.status).toBe(409);
    expect(sameNumber.body.code).toBe('merchant_contract_exists');
    const badModality = await api.request('POST', '/v1/merchant-contracts', { key, body: { number: '7000003', modality: 'cheque', acquirer: 'X' } });
    expect(badModality.status).toBe(400);

    const moved = await api.request('PUT', `/v1/merchant-contracts/${contact.body.id}`, {
      key,
      body: { number: '7000002', modality: 'proximite_contact', acquirer: 'Autre acquéreur', settlementAccountId: dft.id },
    });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ acquirer: 'Autre acquéreur', settlementIban: DFT_IBAN });

    const list = await api.request('GET', '/v1/merchant-contracts', { key });
    expect(list.body.data.map((c: { modality: string }) => c.modality)).toEqual(['plbs_diapason', 'proximite_contact']);
  });

  it('records the PLBS contract on each debit', async () => {
    const dossier = await createDossier(api, key);
    await driveTo(api, dossier.id, 'completed');
    const tx = api.app.get(TransactionContext);
    const [row] = await tx.manager.query(`SELECT c.number FROM dossier d JOIN merchant_contract c ON c.id = d.merchant_contract_id WHERE d.id = $1`, [
      dossier.id,
    ]);
    expect(row.number).toBe('7000001');
  });

  it('answers 404 for another establishment’s accounts and contracts, and 403 to a key without the accounting scope', async () => {
    const mine = (await api.request('GET', '/v1/bank-accounts', { key })).body.data[0].id as string;
    const contract = (await api.request('GET', '/v1/merchant-contracts', { key })).body.data[0].id as string;
    const stranger = await api.createKey('CH-AUTRE');
    expect((await api.request('GET', `/v1/bank-accounts/${mine}`, { key: stranger })).status).toBe(404);
    expect((await api.request('PUT', `/v1/bank-accounts/${mine}`, { key: stranger, body: { iban: DFT_IBAN, label: 'x' } })).status).toBe(404);
    expect((await api.request('GET', `/v1/merchant-contracts/${contract}`, { key: stranger })).status).toBe(404);
    expect((await api.request('GET', `/v1/bank-accounts/not-a-uuid`, { key: stranger })).status).toBe(404);
    expect((await api.request('GET', '/v1/bank-accounts', { key: stranger })).body.data).toEqual([]);
    const foreignDft = await api.request('PUT', '/v1/regies/REGIE-01', { key: stranger, body: { dftAccountId: mine } });
    expect(foreignDft.status).toBe(422);

    const cashier = await api.createKey('CH-COMPTA', undefined, ['dossiers']);
    for (const path of ['/v1/bank-accounts', '/v1/merchant-contracts']) {
      const refused = await api.request('GET', path, { key: cashier });
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ code: 'insufficient_scope', scope: 'accounting' });
    }
    const dftByCashier = await api.request('PUT', '/v1/regies/REGIE-01', { key: cashier, body: { dftAccountId: mine } });
    expect(dftByCashier.status).toBe(403);
    expect((await api.request('PUT', '/v1/regies/REGIE-01', { key: cashier, body: { phone: '01 99 00 12 34' } })).status).toBe(200);
    const reader = await api.createKey('CH-COMPTA', undefined, ['read_only']);
    expect((await api.request('GET', '/v1/bank-accounts', { key: reader })).status).toBe(200);
    expect((await api.request('POST', '/v1/bank-accounts', { key: reader, body: { iban: OTHER_IBAN, label: 'x' } })).status).toBe(403);
  });

  it('npm start seeds the demo régie with a DFT account and one contract per modality, once', async () => {
    await seedDemo(api.dataSource);
    await seedDemo(api.dataSource);
    const demoKey = await api.createKey('DEMO');
    const accounts = (await api.request('GET', '/v1/bank-accounts', { key: demoKey })).body.data;
    expect(accounts).toEqual([expect.objectContaining({ iban: DEMO_DFT_IBAN, treasury: true })]);
    const regie = (await api.request('GET', '/v1/regies', { key: demoKey })).body.data.find((r: { code: string }) => r.code === DEMO_REGIE);
    expect(regie.dftAccountId).toBe(accounts[0].id);
    const contracts = (await api.request('GET', '/v1/merchant-contracts', { key: demoKey })).body.data;
    expect(contracts.map((c: { modality: string }) => c.modality).sort()).toEqual([
      'plbs_diapason',
      'proximite_contact',
      'proximite_sans_contact',
      'vads',
    ]);
    for (const contract of contracts) expect(contract.settlementAccountId).toBe(accounts[0].id);
  });
});

describe('Encashment journal (issue 11, point 2)', () => {
  let api: ApiHarness;
  let key: string;
  let dftId: string;

  beforeAll(async () => {
    api = await startApi();
    key = await api.createKey('CH-JOURNAL');
    const dft = await api.request('POST', '/v1/bank-accounts', { key, body: { iban: DFT_IBAN, label: 'DFT' } });
    dftId = dft.body.id;
    const other = await api.request('POST', '/v1/bank-accounts', { key, body: { iban: OTHER_IBAN, label: 'Autre' } });
    await api.request('PUT', '/v1/regies/REGIE-01', { key, body: { dftAccountId: dftId } });
    await api.request('POST', '/v1/merchant-contracts', { key, body: { number: 'PLBS-1', modality: 'plbs_diapason', acquirer: 'Acquéreur' } });
    await api.request('POST', '/v1/merchant-contracts', {
      key,
      body: { number: 'CT-1', modality: 'proximite_contact', acquirer: 'Acquéreur', settlementAccountId: other.body.id },
    });
  });
  afterAll(() => api?.close());

  it('has one line per completed debit, with its régie, contract, account, amount and references; nothing for a refused one', async () => {
    const first = await createDossier(api, key);
    await driveTo(api, first.id, 'completed');
    api.clock.advance(24 * 3600_000);
    const second = await createDossier(api, key, { regieCode: 'REGIE-02' });
    await driveTo(api, second.id, 'completed', 9000);
    const refused = await createDossier(api, key);
    await driveTo(api, refused.id, 'bank_rejected');

    const journal = await api.request('GET', '/v1/journal', { key });
    expect(journal.status).toBe(200);
    expect(journal.body.count).toBe(2);
    expect(journal.body.totalCents).toBe(3500);
    expect(journal.body.data[0]).toEqual({
      id: expect.any(String),
      kind: 'plbs_completion',
      regieCode: 'REGIE-01',
      contractNumber: 'PLBS-1',
      modality: 'plbs_diapason',
      accountIban: DFT_IBAN,
      amountCents: 1750,
      dossierId: first.id,
      gapDossierNumber: first.gapDossierNumber,
      invoiceReference: null,
      transactionReference: 'ACQFIXTURE',
      debitedAt: '2026-11-23T09:00:00.000Z',
      debitDate: '2026-11-23',
      settlementDate: '2026-11-23',
      remittanceId: null,
      creditedOn: null,
    });
    expect(journal.body.data[1]).toMatchObject({ regieCode: 'REGIE-02', dossierId: second.id, debitDate: '2026-11-24' });

    const byRegie = await api.request('GET', '/v1/journal?regie=REGIE-02', { key });
    expect(byRegie.body.data.map((l: { dossierId: string }) => l.dossierId)).toEqual([second.id]);
    const byDay = await api.request('GET', '/v1/journal?from=2026-11-24&to=2026-11-24', { key });
    expect(byDay.body.data.map((l: { dossierId: string }) => l.dossierId)).toEqual([second.id]);
    expect((await api.request('GET', '/v1/journal?contract=PLBS-1', { key })).body.count).toBe(2);
    expect((await api.request('GET', '/v1/journal?contract=CT-1', { key })).body.count).toBe(0);
    expect((await api.request('GET', '/v1/journal?regie=NOPE', { key })).status).toBe(404);
    expect((await api.request('GET', '/v1/journal?contract=NOPE', { key })).status).toBe(404);
    expect((await api.request('GET', '/v1/journal?from=2026-13-45x', { key })).status).toBe(400);
    expect((await api.request('GET', '/v1/journal?from=2026-12-01&to=2026-11-01', { key })).status).toBe(422);
    expect((await api.request('GET', '/v1/journal?format=pdf', { key })).status).toBe(400);
  });

  it('exports CSV the French way and XLSX with typed cells', async () => {
    const csv = await api.request('GET', '/v1/journal?format=csv', { key });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const raw = Buffer.from(await (await fetch(`${api.url}/v1/journal?format=csv`, { headers: { authorization: `Bearer ${key}` } })).arrayBuffer());
    expect([...raw.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = raw.subarray(3).toString('utf8').trimEnd().split('\r\n');
    expect(rows[0]).toMatch(/^Date de débit;Mouvement;Régie;Contrat;Compte;Montant;/);
    expect(rows[1]).toContain('23/11/2026;Débit PLBS;REGIE-01;PLBS-1;');
    expect(rows[1]).toContain(';17,50;');

    const response = await fetch(`${api.url}/v1/journal?format=xlsx&regie=REGIE-01`, { headers: { authorization: `Bearer ${key}` } });
    expect(response.status).toBe(200);
    api.openapi.check({
      method: 'GET',
      path: '/v1/journal?format=xlsx',
      status: 200,
      contentType: response.headers.get('content-type'),
      body: undefined,
      text: '',
    });
    const { default: ExcelJS } = await import('exceljs');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await response.arrayBuffer());
    const sheet = workbook.worksheets[0];
    expect(sheet.getRow(2).getCell(6).value).toBe(17.5);
    expect(sheet.getRow(2).getCell(1).value).toEqual(new Date(Date.UTC(2026, 10, 23)));
  });

  it('keeps each establishment to its own journal, and refuses keys without the accounting scope', async () => {
    const stranger = await api.createKey('CH-AILLEURS');
    const theirs = await createDossier(api, stranger);
    await driveTo(api, theirs.id, 'completed');
    const their = await api.request('GET', '/v1/journal', { key: stranger });
    // No contract yet there: the line stays, without contract or account.
    expect(their.body.data).toEqual([expect.objectContaining({ dossierId: theirs.id, contractNumber: null, accountIban: null })]);
    expect((await api.request('GET', '/v1/journal', { key })).body.count).toBe(2);
    const cashier = await api.createKey('CH-JOURNAL', undefined, ['dossiers', 'terminals']);
    expect((await api.request('GET', '/v1/journal', { key: cashier })).status).toBe(403);
  });
});

describe('Bank statements: POST /v1/statements (issue 11, point 4)', () => {
  const fixtures = join(__dirname, '../libs/accounting/src/fixtures');
  const cfonb = readFileSync(join(fixtures, 'dft-10071-2026-01.cfonb120.txt'), 'utf8');
  const camt = readFileSync(join(fixtures, 'dft-10071-2026-01.camt053.xml'), 'utf8');
  const dftIban = frenchIbanFromRib('10071', '75000', '00001005783');
  const bankIban = frenchIbanFromRib('30004', '00823', '00010123456');
  let api: ApiHarness;
  let key: string;

  beforeAll(async () => {
    api = await startApi({ env: { DIAPASON_STATEMENT_LIMIT_BYTES: '8192' } });
    key = await api.createKey('CH-RELEVES');
  });
  afterAll(() => api?.close());

  const post = (rawBody: string, contentType: string, withKey = key) =>
    api.request('POST', '/v1/statements', { key: withKey, rawBody, headers: { 'content-type': contentType } });

  async function multipart(content: string, field = 'file') {
    const form = new FormData();
    form.append(field, new Blob([content], { type: 'application/octet-stream' }), 'releve.txt');
    const response = await fetch(`${api.url}/v1/statements`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, body: form });
    const text = await response.text();
    const body = JSON.parse(text);
    api.openapi.check({
      method: 'POST',
      path: '/v1/statements',
      status: response.status,
      contentType: response.headers.get('content-type'),
      body,
      text,
    });
    return { status: response.status, body };
  }

  it('refuses a statement of an undeclared account, naming it, and stores nothing', async () => {
    const res = await post(cfonb, 'text/plain');
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('unknown_bank_account');
    expect(res.body.detail).toMatch(/n’est pas déclaré/);
    const tx = api.app.get(TransactionContext);
    expect((await tx.manager.query(`SELECT count(*)::int AS n FROM bank_statement`))[0].n).toBe(0);
  });

  it('imports a CFONB 120 file sent as is, recognised from its content, and changes nothing the second time', async () => {
    await api.request('POST', '/v1/bank-accounts', { key, body: { iban: dftIban, label: 'DFT régie' } });
    await api.request('POST', '/v1/bank-accounts', { key, body: { iban: bankIban, label: 'Multi-domiciliation' } });
    const first = await post(cfonb, 'text/plain; charset=iso-8859-1');
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ format: 'cfonb120', alreadyImported: false });
    expect(first.body.accounts.map((a: { iban: string }) => a.iban)).toEqual([dftIban, bankIban]);
    const dft = first.body.accounts[0];
    expect(dft.openingBalance).toEqual({ date: '2026-01-02', amountCents: 125000 });
    expect(dft.lines).toBeGreaterThan(0);
    expect(dft.newLines).toBe(dft.lines);
    expect(dft.creditsCents).toBeGreaterThan(0);
    expect(first.body.lines).toBe(first.body.newLines);

    const again = await post(cfonb, 'application/octet-stream');
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ ...first.body, alreadyImported: true });
    const tx = api.app.get(TransactionContext);
    expect((await tx.manager.query(`SELECT count(*)::int AS n FROM statement_line`))[0].n).toBe(first.body.lines);
  });

  it('imports camt.053 as XML or as a multipart upload, once', async () => {
    const xml = await post(camt, 'application/xml');
    expect(xml.status).toBe(201);
    expect(xml.body.format).toBe('camt053');
    const upload = await multipart(camt);
    expect(upload.status).toBe(200);
    expect(upload.body).toMatchObject({ id: xml.body.id, alreadyImported: true });
  });

  it('answers French problems for what is not a statement, and refuses before reading a body without a key', async () => {
    const garbage = await post('Bonjour, voici le relevé.\n', 'text/plain');
    expect(garbage.status).toBe(422);
    expect(garbage.body.code).toBe('invalid_bank_statement');
    expect(garbage.body.detail).toMatch(/Format de relevé non reconnu/);
    const broken = await post(cfonb.replace(/^04(.{88})\d/m, '04$1X'), 'text/plain');
    expect(broken.status).toBe(422);
    expect(broken.body.line).toEqual(expect.any(Number));

    const json = await api.request('POST', '/v1/statements', { key, body: { file: cfonb } });
    expect(json.status).toBe(415);
    expect(json.body.detail).toMatch(/text\/plain/);
    expect((await post('', 'text/plain')).status).toBe(400);
    expect((await multipart(cfonb, 'fichier')).status).toBe(400);

    const tooBig = await post('x'.repeat(9000), 'text/plain');
    expect(tooBig.status).toBe(413);
    expect((await multipart('x'.repeat(9000))).status).toBe(413);

    const anonymous = await api.request('POST', '/v1/statements', { rawBody: cfonb, headers: { 'content-type': 'text/plain' } });
    expect(anonymous.status).toBe(401);
    const cashier = await api.createKey('CH-RELEVES', undefined, ['dossiers']);
    expect((await post(cfonb, 'text/plain', cashier)).status).toBe(403);
    // Other routes still take JSON only.
    expect((await api.request('POST', '/v1/bank-accounts', { key, rawBody: 'iban', headers: { 'content-type': 'text/plain' } })).status).toBe(415);
  });
});
