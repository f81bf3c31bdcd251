import { Server, Socket, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { v7 as uuidv7 } from 'uuid';
import { loadConfig } from '@diapason/config';
import { createDataSource } from '@diapason/persistence';
import { TerminalOwnership1795565041201 } from '../migrations/1795565041201-terminal-ownership';
import { TerminalSimulator, startTerminalSimulator } from '../simulators/terminal';
import { ApiHarness, TEST_ENV, startApi } from './support/api-harness';
import { createDossier } from './support/fixtures';
import { freshDatabase } from './support/fresh-database';

/** The allow-list a real deployment has: private ranges, no loopback, no simulator ptys. */
const PRODUCTION_ENV = {
  DIAPASON_TERMINAL_ALLOWED_NETWORKS: '10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7',
  DIAPASON_SERIAL_DEVICES: '/dev/ttyACM*,/dev/ttyUSB*,/dev/serial/by-id/*',
};

const FAST = 'controlTimeoutMs=300&answerTimeoutMs=1500&retries=2';

/** A listener that accepts connections and never says a word; counts who came. */
async function silentListener(): Promise<{ server: Server; port: number; connections: () => number; close(): Promise<void> }> {
  let count = 0;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    count += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    connections: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port nobody listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const terminalBody = (id: string, transportUrl: string, extra: Record<string, unknown> = {}) => ({
  id,
  label: `Terminal ${id}`,
  model: 'iWL280',
  regieCode: 'REGIE-01',
  transportUrl,
  ...extra,
});

/** The body of `PUT /v1/terminals/{id}`: a declaration without its identifier. */
const editBody = (transportUrl: string, extra: Record<string, unknown> = {}) => {
  const { id: _id, ...rest } = terminalBody('-', transportUrl, extra);
  return rest;
};

describe('terminal ownership: one record per physical terminal, allow-listed targets, bounded check (issue 13.2)', () => {
  let api: ApiHarness;
  let sim: TerminalSimulator;
  let keyA: string;
  let keyB: string;
  let v3Url: string;
  let serialUrl: string;

  beforeAll(async () => {
    // The simulators run on the loopback and on ptys: allowed here, as npm start allows them.
    api = await startApi({ env: { DIAPASON_TERMINAL_CHECK_TIMEOUT: '2s' } });
    sim = await startTerminalSimulator();
    keyA = await api.createKey('CHU-A', 'Centre hospitalier A');
    keyB = await api.createKey('CHU-B', 'Centre hospitalier B');
    v3Url = (await sim.add({ id: 'A-V3', model: 'iWL280', transport: 'v3-tcp' })).transportUrl;
    serialUrl = (await sim.add({ id: 'A-V2', model: 'ICT250', transport: 'v2-serial' })).transportUrl;
    for (const [id, url] of [
      ['TPE-A1', v3Url],
      ['TPE-A2', serialUrl],
    ]) {
      const res = await api.request('POST', '/v1/terminals', { key: keyA, body: terminalBody(id, `${url}${url.includes('?') ? '&' : '?'}${FAST}`) });
      expect(res.status).toBe(201);
    }
  });
  afterAll(async () => {
    await api.close();
    await sim.stop();
  });

  describe('takeover', () => {
    it('refuses, with 409, another establishment declaring the address of a terminal, however it is written', async () => {
      const port = new URL(v3Url).port;
      for (const url of [
        v3Url,
        `tcp+v2://127.0.0.1:${port}`,
        `tcp://127.0.0.1:${port}/?answerTimeoutMs=9000`,
        `tcp://0x7f000001:${port}`,
        `tcp://127.1:${port}`,
        `tcp://[::ffff:127.0.0.1]:${port}`,
        `tcp://localhost:${port}`,
        `tcp://LOCALHOST.:${port}`,
      ]) {
        const res = await api.request('POST', '/v1/terminals', { key: keyB, body: terminalBody('TPE-B1', url) });
        expect({ url, status: res.status, code: res.body.code }).toEqual({ url, status: 409, code: 'terminal_address_in_use' });
        // Nothing tells B whose terminal it is.
        expect(res.text).not.toMatch(/CHU-A|Centre hospitalier A|TPE-A1/);
      }
      const serial = await api.request('POST', '/v1/terminals', { key: keyB, body: terminalBody('TPE-B2', serialUrl, { model: 'ICT250' }) });
      expect(serial.status).toBe(409);
      expect(serial.body.code).toBe('terminal_address_in_use');
      // The same establishment cannot declare one terminal twice either.
      const twice = await api.request('POST', '/v1/terminals', { key: keyA, body: terminalBody('TPE-A1-BIS', v3Url) });
      expect(twice.status).toBe(409);
      expect((await api.request('GET', '/v1/terminals', { key: keyB })).body.data).toEqual([]);
    });

    it('treats a serial device without bridge host as shared by every host', async () => {
      const path = decodeURIComponent(new URL(serialUrl).pathname);
      const res = await api.request('POST', '/v1/terminals', {
        key: keyB,
        body: terminalBody('TPE-B3', `serial://${path}`, { model: 'ICT250', bridgeHost: 'poste-b' }),
      });
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('terminal_address_in_use');
    });

    it('keeps establishment scoping: B gets 404 on every operation of A’s terminal', async () => {
      expect((await api.request('GET', '/v1/terminals/TPE-A1', { key: keyB })).status).toBe(404);
      expect((await api.request('POST', '/v1/terminals/TPE-A1/check', { key: keyB })).status).toBe(404);
      expect((await api.request('PUT', '/v1/terminals/TPE-A1', { key: keyB, body: editBody('tcp://10.9.9.9:8888') })).status).toBe(404);
      expect((await api.request('DELETE', '/v1/terminals/TPE-A1', { key: keyB })).status).toBe(404);
      expect((await api.request('GET', '/v1/terminals/TPE-A1', { key: keyA })).body.status).toBe('active');
    });
  });

  describe('deployment check', () => {
    it('answers within the check timeout against a silent listener on an allowed address, with the useful diagnosis', async () => {
      const listener = await silentListener();
      try {
        for (const [id, url] of [
          ['TPE-SILENT-V3', `tcp://127.0.0.1:${listener.port}`],
          ['TPE-SILENT-V2', `tcp+v2://127.0.0.1:${listener.port}?answerTimeoutMs=600000&controlTimeoutMs=60000`],
        ]) {
          // Declaring the same listener twice: the second is refused (one physical target).
          const created = await api.request('POST', '/v1/terminals', { key: keyA, body: terminalBody(id, url) });
          if (id === 'TPE-SILENT-V2') {
            expect(created.status).toBe(409);
            await api.request('DELETE', '/v1/terminals/TPE-SILENT-V3', { key: keyA });
            expect((await api.request('POST', '/v1/terminals', { key: keyA, body: terminalBody(id, url) })).status).toBe(201);
          } else {
            expect(created.status).toBe(201);
          }
          const started = Date.now();
          const res = await api.request('POST', `/v1/terminals/${id}/check`, { key: keyA });
          const elapsed = Date.now() - started;
          expect(res.status).toBe(200);
          expect(res.body.ok).toBe(false);
          expect(elapsed).toBeGreaterThanOrEqual(1_900);
          expect(elapsed).toBeLessThan(4_000);
          expect(res.body.problems[0].cause).toMatch(/ne répond pas/);
        }
        expect(listener.connections()).toBeGreaterThanOrEqual(2);
      } finally {
        await listener.close();
      }
      // The terminal is free again after a check that timed out.
      expect((await api.request('GET', '/v1/terminals/TPE-SILENT-V2', { key: keyA })).body.health.busy).toBe(false);
    });

    it('keeps the diagnosis of a refused connection on an allowed address', async () => {
      const port = await closedPort();
      expect((await api.request('POST', '/v1/terminals', { key: keyA, body: terminalBody('TPE-CLOSED', `tcp://127.0.0.1:${port}`) })).status).toBe(
        201,
      );
      const res = await api.request('POST', '/v1/terminals/TPE-CLOSED/check', { key: keyA });
      expect(res.body.ok).toBe(false);
      expect(res.body.problems[0].cause).toMatch(/refuse la connexion/);
    });

    it('caps the check timeout at 15 s in the configuration', () => {
      expect(loadConfig({}).terminals.checkTimeoutMs).toBe(15_000);
      expect(() => loadConfig({ DIAPASON_TERMINAL_CHECK_TIMEOUT: '120s' })).toThrow(/DIAPASON_TERMINAL_CHECK_TIMEOUT/);
    });
  });

  describe('edit and retire', () => {
    it('edits a terminal with the rules of a declaration, and forgets the health of its old link', async () => {
      const moved = (await sim.add({ id: 'A-V3-NEW', model: 'ICT250', transport: 'v3-tcp' })).transportUrl;
      expect((await api.request('POST', '/v1/terminals/TPE-A1/check', { key: keyA })).body.ok).toBe(true);
      const res = await api.request('PUT', '/v1/terminals/TPE-A1', {
        key: keyA,
        body: { label: 'Accueil, guichet 2', model: 'ICT250', regieCode: 'REGIE-02', transportUrl: moved },
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: 'TPE-A1', label: 'Accueil, guichet 2', model: 'ICT250', regieCode: 'REGIE-02', transportUrl: moved });
      expect(res.body.health).toMatchObject({ status: 'unknown', lastSeenAt: null });
      expect((await api.request('GET', '/v1/terminals/TPE-A1', { key: keyA })).body.transportUrl).toBe(moved);
      expect((await api.request('POST', '/v1/terminals/TPE-A1/check', { key: keyA })).body.ok).toBe(true);

      // Its old address is free: B may now declare the terminal A moved away from.
      expect((await api.request('POST', '/v1/terminals', { key: keyB, body: terminalBody('TPE-B1', v3Url) })).status).toBe(201);
      // Editing onto another terminal's address, or outside the allow-list, is refused like a declaration.
      const taken = await api.request('PUT', '/v1/terminals/TPE-A1', { key: keyA, body: editBody(v3Url) });
      expect(taken.status).toBe(409);
      expect(taken.body.code).toBe('terminal_address_in_use');
      const outside = await api.request('PUT', '/v1/terminals/TPE-A1', { key: keyA, body: editBody('tcp://8.8.8.8:8888') });
      expect(outside.status).toBe(422);
      expect(outside.body.errors).toEqual([{ field: 'transportUrl', message: expect.any(String) }]);
      // Keeping its own address is no conflict.
      const same = await api.request('PUT', '/v1/terminals/TPE-A1', { key: keyA, body: editBody(moved) });
      expect(same.status).toBe(200);
      expect((await api.request('PUT', '/v1/terminals/NOPE', { key: keyA, body: editBody('tcp://10.1.1.1:8888') })).status).toBe(404);
    });

    it('refuses to edit or retire a terminal while an imprint is in progress on it', async () => {
      // No bridge runs in this suite: the imprint stays queued, the terminal busy.
      const dossier = await createDossier(api, keyA);
      const queued = await api.request('POST', `/v1/dossiers/${dossier.id}/imprints`, {
        key: keyA,
        body: { terminalId: 'TPE-A2', ceilingCents: 5000 },
      });
      expect(queued.status).toBe(202);
      const edit = await api.request('PUT', '/v1/terminals/TPE-A2', { key: keyA, body: editBody(serialUrl, { model: 'ICT250' }) });
      expect(edit.status).toBe(409);
      expect(edit.body.code).toBe('terminal_busy');
      const retire = await api.request('DELETE', '/v1/terminals/TPE-A2', { key: keyA });
      expect(retire.status).toBe(409);
      expect(retire.body.code).toBe('terminal_busy');

      await api.dataSource.query(`UPDATE imprint_attempt SET status = 'failed', ended_at = now() WHERE id = $1`, [queued.body.id]);
      const relabelled = await api.request('PUT', '/v1/terminals/TPE-A2', {
        key: keyA,
        body: editBody(serialUrl, { label: 'Admissions', model: 'ICT250' }),
      });
      expect(relabelled.status).toBe(200);
      expect(relabelled.body.label).toBe('Admissions');
    });

    it('retires a terminal: no new imprint, not listed by default, its address and identifier free again', async () => {
      const retired = await api.request('DELETE', '/v1/terminals/TPE-A2', { key: keyA });
      expect(retired.status).toBe(200);
      expect(retired.body).toMatchObject({ id: 'TPE-A2', status: 'retired' });
      expect(retired.body.retiredAt).toEqual(expect.any(String));

      expect((await api.request('GET', '/v1/terminals/TPE-A2', { key: keyA })).status).toBe(404);
      expect((await api.request('DELETE', '/v1/terminals/TPE-A2', { key: keyA })).status).toBe(404);
      expect((await api.request('POST', '/v1/terminals/TPE-A2/check', { key: keyA })).status).toBe(404);
      const listed = await api.request('GET', '/v1/terminals', { key: keyA });
      expect(listed.body.data.map((t: { id: string }) => t.id)).not.toContain('TPE-A2');
      const all = await api.request('GET', '/v1/terminals?includeRetired=true', { key: keyA });
      expect(all.body.data.find((t: { id: string }) => t.id === 'TPE-A2')).toMatchObject({ status: 'retired' });
      expect((await api.request('GET', '/v1/terminals?includeRetired=maybe', { key: keyA })).status).toBe(400);

      const dossier = await createDossier(api, keyA);
      const imprint = await api.request('POST', `/v1/dossiers/${dossier.id}/imprints`, {
        key: keyA,
        body: { terminalId: 'TPE-A2', ceilingCents: 5000 },
      });
      expect(imprint.status).toBe(422);
      expect(imprint.body.code).toBe('unknown_terminal');

      // The serial line can be declared again (by whoever now holds it), and the identifier reused.
      expect((await api.request('POST', '/v1/terminals', { key: keyB, body: terminalBody('TPE-B2', serialUrl, { model: 'ICT250' }) })).status).toBe(
        201,
      );
      const reused = await api.request('POST', '/v1/terminals', { key: keyA, body: terminalBody('TPE-A2', 'tcp://10.20.30.40:8888') });
      expect(reused.status).toBe(201);
      expect(reused.body.status).toBe('active');
    });
  });
});

describe('terminal targets outside the allow-lists (production defaults: no loopback, no simulator ptys)', () => {
  let api: ApiHarness;
  let key: string;

  beforeAll(async () => {
    api = await startApi({ env: { ...PRODUCTION_ENV, DIAPASON_TERMINAL_CHECK_TIMEOUT: '2s' } });
    key = await api.createKey('CHU-PROD');
  });
  afterAll(async () => {
    await api.close();
  });

  it('refuses with 422, in the same words, network targets outside the allowed networks', async () => {
    const answers = [];
    for (const [i, url] of [
      'tcp://8.8.8.8:8888',
      'tcp://169.254.169.254:80',
      'tcp://127.0.0.1:8888',
      'tcp://[::1]:8888',
      'tcp://0x7f000001:8888',
      'tcp://2130706433:22',
      'tcp://0.0.0.0:8888',
      'tcp+v2://localhost:5432',
      'tcp://metadata.google.internal:80',
      'tcp://[fe80::1]:8888',
      'tcp://224.0.0.1:8888',
    ].entries()) {
      const res = await api.request('POST', '/v1/terminals', { key, body: terminalBody(`TPE-NET-${i}`, url) });
      expect({ url, status: res.status, code: res.body.code }).toEqual({ url, status: 422, code: 'terminal_address_not_allowed' });
      expect(res.body.errors).toEqual([{ field: 'transportUrl', message: expect.any(String) }]);
      answers.push({ detail: res.body.detail, errors: res.body.errors });
    }
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    expect((await api.request('GET', '/v1/terminals', { key })).body.data).toEqual([]);
  });

  it('allows a terminal on the hospital network', async () => {
    const res = await api.request('POST', '/v1/terminals', { key, body: terminalBody('TPE-LAN', 'tcp://10.12.0.31:8888') });
    expect(res.status).toBe(201);
  });

  it('refuses serial paths outside the allowed devices with the same answer whether the file exists or not', async () => {
    const answers = [];
    for (const [i, path] of [
      '/etc/passwd',
      '/etc/no-such-file-diapason',
      '/dev/ttyS0',
      '/dev/ttyACM0/../../etc/passwd',
      '/dev/serial/by-id/../../../etc/shadow',
      '/tmp/diapason-pty-x/register',
    ].entries()) {
      const res = await api.request('POST', '/v1/terminals', {
        key,
        body: terminalBody(`TPE-SER-${i}`, `serial://${path}?baudRate=9600`, { model: 'ICT250' }),
      });
      expect({ path, status: res.status, code: res.body.code }).toEqual({ path, status: 422, code: 'terminal_address_not_allowed' });
      answers.push({ detail: res.body.detail, errors: res.body.errors });
    }
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    expect(
      (await api.request('POST', '/v1/terminals', { key, body: terminalBody('TPE-USB', 'serial:///dev/ttyUSB0', { model: 'ICT250' }) })).status,
    ).toBe(201);
  });

  it('checks a terminal recorded outside the allow-lists without connecting, with one report for refused, closed and silent targets', async () => {
    const listener = await silentListener();
    const closed = await closedPort();
    // Records from before the allow-list (or a list narrowed since): written directly.
    const establishment = (await api.dataSource.query(`SELECT id FROM establishment WHERE code = 'CHU-PROD'`))[0].id as string;
    const regie = (await api.dataSource.query(`SELECT id FROM regie WHERE establishment_id = $1 LIMIT 1`, [establishment]))[0].id as string;
    const targets: [string, string][] = [
      ['OLD-SILENT', `tcp://127.0.0.1:${listener.port}`],
      ['OLD-CLOSED', `tcp://127.0.0.1:${closed}`],
      ['OLD-FAR', 'tcp://8.8.8.8:8888'],
      ['OLD-PASSWD', 'serial:///etc/passwd'],
      ['OLD-MISSING', 'serial:///etc/no-such-file-diapason'],
    ];
    for (const [code, url] of targets) {
      await api.dataSource.query(
        `INSERT INTO terminal (id, establishment_id, code, label, model, regie_id, regie_code, transport_url, transport_key, created_at, updated_at)
         VALUES ($1, $2, $3, $3, 'ICT250', $4, 'REGIE-01', $5, $6, now(), now())`,
        [uuidv7(), establishment, code, regie, url, `legacy:${code}`],
      );
    }
    try {
      const reports: Record<string, { steps: unknown; problems: unknown; ok: boolean }> = {};
      for (const [code] of targets) {
        const started = Date.now();
        const res = await api.request('POST', `/v1/terminals/${code}/check`, { key });
        expect(Date.now() - started).toBeLessThan(2_000);
        expect(res.body.ok).toBe(false);
        reports[code] = { ok: res.body.ok, steps: res.body.steps, problems: res.body.problems };
      }
      expect(reports['OLD-CLOSED']).toEqual(reports['OLD-SILENT']);
      expect(reports['OLD-FAR']).toEqual(reports['OLD-SILENT']);
      expect(reports['OLD-MISSING']).toEqual(reports['OLD-PASSWD']);
      expect(JSON.stringify(reports)).not.toMatch(/ECONNREFUSED|ENOENT|introuvable|refuse la connexion|ne répond pas/);
      expect(listener.connections()).toBe(0);
    } finally {
      await listener.close();
    }
  });

  it('keeps the test harness allowing the simulators explicitly', () => {
    expect(TEST_ENV.DIAPASON_TERMINAL_ALLOWED_NETWORKS).toContain('127.0.0.0/8');
    expect(api.config.terminals.allowedNetworks).not.toContain('127.0.0.0/8');
  });
});

describe('migration of terminals declared before ownership', () => {
  it('keeps the oldest record of a shared address in service and retires the later ones', async () => {
    const database = await freshDatabase();
    const dataSource = createDataSource({ url: database.url, poolSize: 1, applicationName: 'test-terminal-migration' });
    await dataSource.initialize();
    const runner = dataSource.createQueryRunner();
    try {
      const migration = new TerminalOwnership1795565041201();
      await migration.down(runner);
      const [a] = await runner.query(
        `INSERT INTO establishment (id, code, name, created_at) VALUES (gen_random_uuid(), 'MIG-A', 'A', now()) RETURNING id`,
      );
      const [b] = await runner.query(
        `INSERT INTO establishment (id, code, name, created_at) VALUES (gen_random_uuid(), 'MIG-B', 'B', now()) RETURNING id`,
      );
      const regie = async (establishment: string) =>
        (
          await runner.query(`INSERT INTO regie (id, establishment_id, code, name) VALUES (gen_random_uuid(), $1, 'R', 'R') RETURNING id`, [
            establishment,
          ])
        )[0].id as string;
      const [ra, rb] = [await regie(a.id), await regie(b.id)];
      const insert = (establishment: string, regieId: string, code: string, url: string, createdAt: string) =>
        runner.query(
          `INSERT INTO terminal (id, establishment_id, code, label, model, regie_id, regie_code, transport_url, created_at, updated_at)
           VALUES (gen_random_uuid(), $1, $2, $2, 'ICT250', $3, 'R', $4, $5, $5)`,
          [establishment, code, regieId, url, createdAt],
        );
      await insert(a.id, ra, 'A-1', 'tcp://10.0.0.5:8888', '2026-01-01T00:00:00Z');
      await insert(b.id, rb, 'B-TAKEOVER', 'tcp+v2://10.0.0.5?answerTimeoutMs=9000', '2026-02-01T00:00:00Z');
      await insert(b.id, rb, 'B-OWN', 'tcp://10.0.0.6:8888', '2026-02-01T00:00:00Z');
      await migration.up(runner);
      const rows: { code: string; transport_key: string; retired: boolean; last_error: string | null }[] = await runner.query(
        `SELECT code, transport_key, retired_at IS NOT NULL AS retired, last_error FROM terminal ORDER BY code`,
      );
      expect(rows).toEqual([
        { code: 'A-1', transport_key: 'tcp://10.0.0.5:8888', retired: false, last_error: null },
        { code: 'B-OWN', transport_key: 'tcp://10.0.0.6:8888', retired: false, last_error: null },
        { code: 'B-TAKEOVER', transport_key: 'tcp://10.0.0.5:8888', retired: true, last_error: expect.stringMatching(/adresse déjà déclarée/) },
      ]);
    } finally {
      await runner.release();
      await dataSource.destroy();
      await database.drop();
    }
  });
});
