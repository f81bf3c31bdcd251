import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, Page, chromium } from 'playwright-core';
import { DossierLifecycle, DossierSweeps } from '@diapason/lifecycle';
import {
  ConsoleRepository,
  EstablishmentRepository,
  NoticeRepository,
  TerminalRepository,
  TransactionContext,
  hashPassword,
} from '@diapason/persistence';
import { ApiHarness, startApi } from './support/api-harness';
import { createDossier, driveTo } from './support/fixtures';

/** Issue 10, point 3: the régie manager's « À traiter » screen and dossier page, in a real headless Chromium. */

const ARTIFACTS = join(__dirname, '..', 'test-artifacts', 'console');
const PASSWORD = 'Regie-Secret-2026-ok';

describe('Régie console: À traiter and the dossier page (headless Chromium)', () => {
  let api: ApiHarness;
  let browser: Browser;
  let key: string;
  let otherKey: string;
  const seeded: Record<string, { id: string; gap: string }> = {};
  let foreignId: string;
  const axeViolations: { page: string; ids: string[] }[] = [];

  async function failedAttempt(dossierId: string, establishmentId: string, terminalCode: string, message: string): Promise<void> {
    const terminals = api.app.get(TerminalRepository);
    const terminal = (await terminals.findByCode(establishmentId, terminalCode))!;
    await terminals.createAttempt({
      id: randomUUID(),
      dossierId,
      establishmentId,
      terminalId: terminal.id,
      ceilingCents: 5000,
      status: 'refused',
      reference: String(Math.floor(Math.random() * 1e10)).padStart(10, '0'),
      failureCode: 'card_refused',
      failureMessage: message,
      recovered: false,
      maskedPan: '497010######0101',
      cardExpiry: null,
      authorisationNumber: null,
      acquirerReference: null,
      terminalModel: 'iWL280',
      itpAcceptanceServer: null,
      itpAcceptancePoint: null,
      requestedAt: api.clock.now(),
      startedAt: api.clock.now(),
      endedAt: api.clock.now(),
      leaseUntil: null,
      runner: null,
      merchantContractId: null,
    });
  }

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    api = await startApi();
    key = await api.createKey('DEMO');
    otherKey = await api.createKey('AUTRE');
    const tx = api.app.get(TransactionContext);
    const establishmentId = (await new EstablishmentRepository(tx).ensure('DEMO', 'Centre hospitalier de démonstration')).id;
    const otherId = (await new EstablishmentRepository(tx).ensure('AUTRE', 'Autre hôpital')).id;
    const hash = await hashPassword(PASSWORD);
    for (const role of ['caissier', 'regisseur', 'comptable', 'administrateur'] as const) {
      await api.app.get(ConsoleRepository).createUser({ establishmentId, login: `local.${role}`, roles: [role], passwordHash: hash });
    }
    for (const [i, k] of [key, otherKey].entries()) {
      const res = await api.request('POST', '/v1/terminals', {
        key: k,
        body: { id: 'TPE-ACCUEIL', label: 'Guichet accueil', model: 'iWL280', regieCode: 'REGIE-01', transportUrl: `tcp://127.0.0.1:${9 + i}` },
      });
      expect(res.status).toBe(201);
    }
    const make = async (name: string, lastName: string) => {
      const d = await createDossier(api, key, { patient: { lastName, firstName: 'Claire', phone: '06 39 98 01 01', email: 'claire@example.test' } });
      seeded[name] = { id: d.id, gap: d.gapDossierNumber };
      return d.id;
    };

    // A debit sent 40 minutes ago and never answered (its lease long over).
    await driveTo(api, await make('stalled', 'Bloque'), 'completing');
    api.clock.advance(40 * 60_000);
    // Imprint alert: an imprinted dossier whose imprint ends within the horizon.
    await driveTo(api, await make('alert', 'Alerte'), 'imprinted');
    await api.app.get(DossierSweeps).raiseDeadlineAlerts(api.clock.now(), new Date(api.clock.now().getTime() + 365 * 86_400_000), 100, randomUUID);
    // A failed imprint today, the dossier still without imprint.
    const failed = await make('imprintFailed', 'Echec');
    await failedAttempt(failed, establishmentId, 'TPE-ACCUEIL', 'Carte refusée par la banque du patient.');
    await driveTo(api, await make('noticeFailed', 'Injoignable'), 'notification_failed');
    await driveTo(api, await make('abandoned', 'Silence'), 'not_acknowledged');
    // The bank rejection carries a refused attempt (then an imprint), a notice, evidence counted and not.
    const rejected = await make('rejected', 'Rejet');
    await failedAttempt(rejected, establishmentId, 'TPE-ACCUEIL', 'Carte retirée trop tôt.');
    await driveTo(api, rejected, 'payment_requested');
    const notices = api.app.get(NoticeRepository);
    const notice = await notices.ensure({
      id: randomUUID(),
      dossierId: rejected,
      establishmentId,
      channel: 'sms',
      recipient: '+33639980101',
      createdAt: api.clock.now(),
    });
    await notices.markSent([{ id: notice.id, providerId: 'SMtest', segments: 1 }], api.clock.now());
    await api.app.get(DossierLifecycle).evidenceReceived({
      establishmentId,
      dossierId: rejected,
      actor: { type: 'patient' },
      facts: {
        noticeId: notice.id,
        channel: 'sms',
        kind: 'link',
        at: api.clock.now(),
        userAgent: null,
        counts: false,
        notCountedReason: 'link_scanner',
        notCountedWhy: 'analyseur',
      },
    });
    await driveTo(api, rejected, 'bank_rejected');
    // Another establishment's exceptions never show.
    const foreign = await createDossier(api, otherKey);
    foreignId = foreign.id;
    await driveTo(api, foreignId, 'bank_rejected');
    await failedAttempt((await createDossier(api, otherKey)).id, otherId, 'TPE-ACCUEIL', 'Refus étranger.');

    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  const path = (page: Page) => new URL(page.url()).pathname;

  async function checkAxe(page: Page, name: string): Promise<void> {
    await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
    const ids = await page.evaluate(async () => {
      const g = globalThis as any;
      const result = await g.axe.run(g.document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] });
      return result.violations.filter((v: any) => v.impact === 'serious' || v.impact === 'critical').map((v: any) => v.id);
    });
    axeViolations.push({ page: name, ids });
    await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  }

  async function login(role: string): Promise<Page> {
    const context = await browser.newContext({ locale: 'fr-FR', bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${api.url}/console/connexion`);
    await page.fill('#etablissement', 'DEMO');
    await page.fill('#identifiant', `local.${role}`);
    await page.fill('#mot-de-passe', PASSWORD);
    await Promise.all([page.waitForLoadState(), page.click('button[type=submit]')]);
    return page;
  }

  it('« À traiter »: each exception counted and listed for the establishment, each item opening its dossier', async () => {
    const page = await login('regisseur');
    expect(path(page)).toBe('/console/a-traiter');
    const count = async (kind: string) => Number(await page.textContent(`.count[data-kind="${kind}"]`));
    const expected: Record<string, string> = {
      imprint_failed: 'imprintFailed',
      notification_failed: 'noticeFailed',
      not_acknowledged: 'abandoned',
      bank_rejected: 'rejected',
      deadline_alert: 'alert',
      debit_stalled: 'stalled',
    };
    for (const [kind, name] of Object.entries(expected)) {
      expect({ kind, count: await count(kind) }).toEqual({ kind, count: 1 });
      const links = await page.$$eval(`section[aria-labelledby="${kind}"] tbody a`, (as) => as.map((a) => a.getAttribute('href')));
      expect({ kind, links }).toEqual({ kind, links: [`/console/dossiers/${seeded[name].id}`] });
    }
    const main = (await page.textContent('main'))!;
    expect(main).toContain('Carte refusée par la banque du patient.');
    expect(main).toContain('Débit envoyé, sans réponse');
    expect(main).toContain('Refus de la banque (fixture).');
    expect(main).not.toContain('Refus étranger.');
    await checkAxe(page, 'regie-a-traiter');

    await Promise.all([page.waitForLoadState(), page.click(`section[aria-labelledby="bank_rejected"] a`)]);
    expect(path(page)).toBe(`/console/dossiers/${seeded.rejected.id}`);
    await page.context().close();
  });

  it('the dossier page: status, amounts, imprint attempts, notices and evidence, planned debit, journal in French', async () => {
    const page = await login('regisseur');
    const res = await page.goto(`${api.url}/console/dossiers/${seeded.rejected.id}`);
    expect(res!.status()).toBe(200);
    const main = (await page.textContent('main'))!;
    expect(await page.textContent('h1')).toContain(seeded.rejected.gap);
    expect(main).toContain('Statut : Rejet bancaire');
    expect(main).toContain('50,00 €'); // ceiling
    expect(main).toContain('17,50 €'); // amount asked
    expect(main).toContain('REGIE-01');
    expect(main).toContain('Rejet Claire');
    expect(main).not.toContain('06 39 98 01 01');
    expect(main).not.toContain('+33639980101');
    expect(main).toContain('+3363*****01');
    expect(main).toContain('c***@example.test');
    expect(main).toContain('TPE-ACCUEIL');
    expect(main).toContain('497010######0101');
    expect(main).toContain('Refusée : Carte retirée trop tôt.');
    expect(main).toContain('Envoyée');
    expect(main).toContain('Non retenue : lien ouvert par un analyseur de sécurité');
    expect(main).toContain('Retenue : vaut accusé de réception');
    expect(main).toContain('Date prévue du débit');
    expect(main).toContain('Motif du rejet bancaire');
    for (const label of [
      'Dossier créé',
      'Statut : Empreinte réalisée',
      'Notification envoyée au patient',
      'Preuve de réception non retenue',
      'Statut : Débit en cours',
      'Statut : Rejet bancaire',
    ]) {
      expect(main).toContain(label);
    }
    expect(main).not.toMatch(/dossier\.(created|bank_rejected)/);
    await checkAxe(page, 'regie-dossier');

    // Search by GAP number and by name.
    await page.goto(`${api.url}/console/a-traiter`);
    await page.fill('#q', seeded.alert.gap);
    await Promise.all([page.waitForLoadState(), page.click('form[role=search] button')]);
    expect(path(page)).toBe('/console/recherche');
    expect(await page.$$eval('tbody a', (as) => as.map((a) => a.getAttribute('href')))).toEqual([`/console/dossiers/${seeded.alert.id}`]);
    await page.fill('#q', 'injoign');
    await Promise.all([page.waitForLoadState(), page.click('form[role=search] button')]);
    expect(await page.$$eval('tbody a', (as) => as.map((a) => a.getAttribute('href')))).toEqual([`/console/dossiers/${seeded.noticeFailed.id}`]);
    await checkAxe(page, 'regie-recherche');
    await page.goto(`${api.url}/console/recherche?q=${encodeURIComponent('%_')}`);
    expect(await page.textContent('main')).toContain('Aucun dossier');

    // Another establishment's dossier, or no dossier at all: a French 404 page.
    for (const id of [foreignId, randomUUID(), 'pas-un-uuid']) {
      const missing = await page.goto(`${api.url}/console/dossiers/${id}`);
      expect(missing!.status()).toBe(404);
      expect(await page.textContent('main')).toContain('Dossier introuvable');
    }
    await checkAxe(page, 'regie-dossier-404');
    await page.context().close();
  });

  it.each(['caissier', 'comptable', 'administrateur'])('refuses the régie pages to a %s (403)', async (role) => {
    const page = await login(role);
    for (const route of ['/console/a-traiter', `/console/dossiers/${seeded.rejected.id}`, '/console/recherche?q=Rejet']) {
      const res = await page.goto(`${api.url}${route}`);
      expect({ route, status: res!.status() }).toEqual({ route, status: 403 });
      expect(await page.textContent('main')).toContain('Accès refusé');
      expect(await page.textContent('main')).not.toContain('Rejet Claire');
    }
    await page.context().close();
  });

  it('axe-core finds no serious violation on the régie pages', () => {
    expect(axeViolations.length).toBeGreaterThanOrEqual(4);
    expect(axeViolations.filter((v) => v.ids.length > 0)).toEqual([]);
  });
});
