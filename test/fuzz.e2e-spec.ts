import { createHash } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import fc from 'fast-check';
import { DOSSIER_STATUSES, JOURNAL_EVENT_TYPES } from '@diapason/domain';
import { ApiHarness, startApi } from './support/api-harness';
import { createDossier, driveTo } from './support/fixtures';
import {
  FuzzContext,
  FuzzOperation,
  FuzzRequest,
  RequestSchemas,
  describeRequest,
  fuzzOperations,
  outsideDocument,
  pathIsRewritten,
  requestArbitrary,
  routedPath,
  undocumentedRequestArbitrary,
} from './support/openapi-fuzz';
import { freePort } from './support/test-database';

/**
 * Fuzzing of the GAP API from its own OpenAPI document (GET /docs-json): for every operation,
 * requests generated from the schemas, valid and mutated (see test/support/openapi-fuzz.ts), sent
 * to a real API on a real PostgreSQL with fixtures in every dossier status. Every answer must be
 * below 500 and match the document (status documented for the operation, body schema: the
 * harness's OpenApiValidator); a request without a valid key gets 401; another establishment's key
 * never reaches this establishment's resources. Requests no client of the document can send (a
 * malformed percent-encoding, a body for an operation that takes none: `outsideDocument`) may get
 * any 4xx problem.
 *
 *   FUZZ_RUNS=500 npm test -- test/fuzz      requests per operation (default 50)
 *   FUZZ_SEED=123456                         replays a run (the seed is printed at the end)
 *   FUZZ_ONLY=createDossier                  one operation (with FUZZ_PATH from a failure: its shrunk case)
 *   FUZZ_LOG_LEVEL=error                     the API's log (stack traces of 5xx) on the standard output
 *   FUZZ_TRACE=/tmp/fuzz.jsonl               every request and its answer's status, one JSON line each
 *   FUZZ_STRICT=1                            KNOWN_UNTIL_MERGE ignored: the known failures fail too
 *
 * Hermetic: no worker runs (nothing is sent to webhooks, SMS or e-mail providers), terminals point
 * to a closed local port, webhook addresses are IP literals of documentation or local ranges.
 */

const RUNS = Number(process.env.FUZZ_RUNS ?? 50);
/** A fixed seed by default, so that `npm test` runs the same requests every time; FUZZ_SEED=random explores. */
const SEED = process.env.FUZZ_SEED === 'random' ? randomSeed() : Number(process.env.FUZZ_SEED ?? 20261124);
const ONLY = process.env.FUZZ_ONLY;
const PATH = process.env.FUZZ_PATH;
const TRACE = process.env.FUZZ_TRACE;
/** FUZZ_STRICT=1: the known failures fail too (to check, after merging, that KNOWN_UNTIL_MERGE can be emptied). */
const STRICT = process.env.FUZZ_STRICT === '1';

type IssueKind = 'server error' | 'no answer' | 'contract' | 'unauthenticated' | 'other establishment' | 'generator';

interface Outcome {
  status: number;
  contentType: string | null;
  text: string;
  error?: string;
}

interface Issue {
  kind: IssueKind;
  message: string;
}

interface KnownFailure {
  id: string;
  /** The point of issue 13 whose fix removes it. */
  point: string;
  what: string;
  matches(request: FuzzRequest, outcome: Outcome, issue: Issue): boolean;
}

/**
 * Failures accepted while their fix is under way, each naming the work that removes it. Empty: every
 * failure fails the suite. FUZZ_STRICT=1 runs the suite as if it were empty.
 */
const KNOWN_UNTIL_MERGE: KnownFailure[] = [];

/** 0 for most operations, 1 for those that end a fixture's life (cancel), 2 for deletions. */
function finality(operation: FuzzOperation): number {
  if (operation.method === 'DELETE') return 2;
  return /\/cancel$/.test(operation.template) ? 1 : 0;
}

function randomSeed(): number {
  return (Date.now() ^ Math.floor(Math.random() * 0x7fffffff)) | 0;
}

/** One seed per operation, derived from the run's: an operation replays alone (FUZZ_ONLY) as in the full run. */
function operationSeed(operationId: string): number {
  return createHash('sha256').update(`${SEED}:${operationId}`).digest().readInt32BE(0);
}

class Tally {
  requests = 0;
  readonly byClass = new Map<string, number>();
  readonly known = new Map<string, { count: number; example: string }>();
  /** Distinct unexpected failures (by operation, kind and status), with their first request. */
  readonly unexpected = new Map<string, string>();

  record(outcome: Outcome): void {
    this.requests += 1;
    const klass = outcome.error ? 'no answer' : `${String(outcome.status)[0]}xx`;
    this.byClass.set(klass, (this.byClass.get(klass) ?? 0) + 1);
  }

  summary(): string {
    const classes = ['2xx', '3xx', '4xx', '5xx', 'no answer'].map((k) => `${k} ${this.byClass.get(k) ?? 0}`).join(', ');
    const known = [...this.known].map(([id, k]) => `${id} ${k.count}`).join(', ') || 'none';
    return (
      `[fuzz] ${this.requests} requests (${RUNS} runs per operation): ${classes}; ` +
      `known until merge (requests): ${known}; unexpected failures: ${this.unexpected.size}; seed ${SEED} (FUZZ_SEED=${SEED} to replay)`
    );
  }
}

describe('fuzzing the GAP API from its OpenAPI document', () => {
  let api: ApiHarness;
  let key: string;
  let otherKey: string;
  let context: FuzzContext;
  /** Every operation of the document; `operations`, those fuzzed (FUZZ_ONLY). */
  let allOperations: FuzzOperation[];
  let operations: FuzzOperation[];
  let schemas: RequestSchemas;
  const tally = new Tally();

  beforeAll(async () => {
    api = await startApi({
      env: {
        LOG_LEVEL: process.env.FUZZ_LOG_LEVEL ?? 'silent',
        // Issue 13's allow-lists (ignored where they do not exist yet): the fixture terminal listens on
        // a closed local port, the fixture webhooks point to the documentation range 192.0.2.0/24.
        DIAPASON_TERMINAL_ALLOWED_NETWORKS: '127.0.0.0/8',
        DIAPASON_WEBHOOK_ALLOWED_NETWORKS: '192.0.2.0/24',
      },
    });
    key = await api.createKey('CHU-FUZZ', 'CHU du fuzzing');
    otherKey = await api.createKey('CH-AUTRE', 'CH d’à côté');
    const closedPort = await freePort();
    const ok = async (method: string, path: string, body: unknown, as = key) => {
      const res = await api.request(method, path, { key: as, body });
      if (res.status >= 300) throw new Error(`fixture ${method} ${path}: ${res.status} ${res.text}`);
      return res.body;
    };
    for (const [code, as] of [
      ['REGIE-01', key],
      ['REGIE-02', key],
      ['REGIE-01', otherKey],
    ] as const) {
      await ok('PUT', `/v1/regies/${code}`, { name: `Régie ${code}`, phone: '01 99 00 12 34', email: 'regie@example.test' }, as);
    }
    const terminalUrl = `tcp://127.0.0.1:${closedPort}?controlTimeoutMs=300&answerTimeoutMs=1000&retries=1`;
    await ok('POST', '/v1/terminals', {
      id: 'TPE-FUZZ-1',
      label: 'Guichet du fuzzing',
      model: 'ICT250',
      regieCode: 'REGIE-01',
      transportUrl: terminalUrl,
    });
    const dossierIds: string[] = [];
    // Two dossiers in every status, so that a transition that succeeds once can succeed again.
    for (const status of [...DOSSIER_STATUSES, ...DOSSIER_STATUSES]) {
      const dossier = await createDossier(api, key);
      await driveTo(api, dossier.id, status);
      dossierIds.push(dossier.id);
    }
    const webhookIds: string[] = [];
    for (const n of [1, 2, 3]) {
      webhookIds.push((await ok('POST', '/v1/webhook-endpoints', { url: `https://192.0.2.10/diapason/${n}`, eventTypes: ['*'] })).id);
    }

    const document = api.openapi.document;
    schemas = new RequestSchemas(document);
    allOperations = fuzzOperations(document);
    operations = allOperations
      .filter((o) => !ONLY || o.operationId === ONLY)
      // Cancellations then deletions last, so that the other operations meet the fixtures these end.
      .sort((a, b) => finality(a) - finality(b));
    context = {
      document,
      fixtures: {
        '/v1/dossiers': dossierIds,
        '/v1/terminals': ['TPE-FUZZ-1'],
        '/v1/webhook-endpoints': webhookIds,
        '/v1/regies': ['REGIE-01', 'REGIE-02'],
      },
      sharedNames: ['/v1/regies'],
      hints: {
        regieCode: fc.constantFrom('REGIE-01', 'REGIE-02', 'REGIE-INCONNUE'),
        terminalId: fc.constantFrom('TPE-FUZZ-1', 'TPE-INCONNU'),
        gapDossierNumber: fc.stringMatching(/^GAP-FUZZ-[0-9]{1,6}$/),
        lastName: fc.constantFrom('Martin', 'N’Diaye', 'Lefèvre-Dupont'),
        firstName: fc.constantFrom('Claire', 'Jean-Éric'),
        phone: fc.constantFrom('06 39 98 01 01', '+33639980102', '0639980103', '+33 6 39 98 01 04'),
        email: fc.constantFrom('claire.martin@example.test', 'x@example.test'),
        ceilingCents: fc.integer({ min: 1, max: 20_000 }),
        amountCents: fc.integer({ min: 1, max: 20_000 }),
        invoiceReference: fc.stringMatching(/^FAC-[0-9]{1,6}$/),
        reason: fc.constantFrom('Doublon', 'Patient reparti sans payer'),
        id: fc.stringMatching(/^TPE-[A-Z0-9]{1,8}$/),
        label: fc.constantFrom('Guichet 2', 'Urgences'),
        // Only addresses that go nowhere: a closed local port, a serial device that does not exist.
        transportUrl: fc.constantFrom(terminalUrl, 'serial:///dev/ttyFUZZ0?baudRate=9600'),
        bridgeHost: fc.constantFrom('poste-accueil-1'),
        // IP literals only (no DNS); nothing is delivered, no worker runs.
        url: fc.constantFrom(
          'https://192.0.2.10/diapason',
          'http://127.0.0.1:1/',
          'http://[::1]:1/',
          'https://user:pass@192.0.2.11/',
          'http://169.254.169.254/latest/meta-data/',
          'https://10.1.2.3/hook',
          'http://0x7f000001/',
        ),
        eventTypes: fc.subarray([...JOURNAL_EVENT_TYPES, '*'], { minLength: 1 }),
        secret: fc.string({ minLength: 32, maxLength: 64 }),
        dossierId: fc.constantFrom(...dossierIds),
        'Idempotency-Key': fc.oneof(fc.constantFrom('fuzz-replay-1', 'fuzz-replay-2'), fc.uuid()),
      },
    };
  }, 120_000);

  afterAll(async () => {
    const known = KNOWN_UNTIL_MERGE.filter((k) => tally.known.has(k.id)).map(
      (k) => `  known until merge (${k.point}) ${k.id}: ${k.what}\n    e.g. ${tally.known.get(k.id)!.example.replace(/\n/g, '\n    ')}`,
    );
    process.stderr.write(`\n${[tally.summary(), ...known].join('\n')}\n`);
    await api?.close();
  });

  async function send(request: FuzzRequest): Promise<Outcome> {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) headers[name] = value.replaceAll('{key}', key);
    if (request.auth === 'key') headers.authorization = `Bearer ${key}`;
    if (request.auth === 'other-establishment') headers.authorization = `Bearer ${otherKey}`;
    if (request.auth === 'unknown-key') headers.authorization = 'Bearer fuzz_unknown_key_0123456789abcdef';
    try {
      const response = await fetch(`${api.url}${request.path}`, {
        method: request.method,
        headers,
        body: request.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(30_000),
      });
      return { status: response.status, contentType: response.headers.get('content-type'), text: await response.text() };
    } catch (error) {
      const cause = (error as { cause?: Error }).cause;
      return { status: 0, contentType: null, text: '', error: `${(error as Error).message}${cause ? ` (${cause.message})` : ''}` };
    }
  }

  function issuesOf(operation: FuzzOperation | undefined, request: FuzzRequest, outcome: Outcome): Issue[] {
    if (outcome.error) return [{ kind: 'no answer', message: outcome.error }];
    const issues: Issue[] = [];
    if (outcome.status >= 500) issues.push({ kind: 'server error', message: `status ${outcome.status}: ${outcome.text.slice(0, 300)}` });
    let body: unknown = outcome.text;
    try {
      body = outcome.text ? JSON.parse(outcome.text) : undefined;
    } catch {
      // not JSON: the validator says whether that was documented
    }
    if (outsideDocument(request, allOperations) && outcome.status >= 400) {
      const mediaType = outcome.contentType?.split(';')[0].trim();
      const invalid = mediaType === 'application/problem+json' ? schemas.problem(body) : `content type ${mediaType}, a problem expected`;
      if (invalid) issues.push({ kind: 'contract', message: `${request.method} ${request.path} → ${outcome.status}: ${invalid}` });
    } else {
      try {
        const path = routedPath(request);
        api.openapi.check({ method: request.method, path, status: outcome.status, contentType: outcome.contentType, body, text: outcome.text });
      } catch (error) {
        issues.push({ kind: 'contract', message: (error as Error).message });
      }
    }
    // A request the document does not describe, or that the URL parser sent elsewhere, has no operation's rules to follow.
    if (!operation || outsideDocument(request, allOperations) || pathIsRewritten(request)) return issues;
    // 429: invalid keys are rate-limited per address (issue 13.8), the validator checks it is documented.
    if (operation.secured && ['none', 'malformed', 'unknown-key'].includes(request.auth) && ![401, 429].includes(outcome.status)) {
      issues.push({ kind: 'unauthenticated', message: `answered ${outcome.status} without a valid key, 401 expected` });
    }
    if (request.auth === 'other-establishment' && request.namesOwnFixture && outcome.status < 300) {
      issues.push({ kind: 'other establishment', message: `another establishment's key reached this one's resource (${outcome.status})` });
    }
    if (!/body:/.test(request.variant) && request.json !== undefined) {
      const invalid = schemas.check(operation, request.json);
      if (invalid) issues.push({ kind: 'generator', message: `a "valid" body does not match the document: ${invalid}` });
    }
    return issues;
  }

  /** Sends one request; true when nothing unexpected happened (known failures are tallied, not failed). */
  async function probe(operation: FuzzOperation | undefined, request: FuzzRequest): Promise<boolean> {
    const outcome = await send(request);
    tally.record(outcome);
    if (TRACE)
      appendFileSync(
        TRACE,
        `${JSON.stringify({ ...request, json: undefined, body: request.body?.slice(0, 500), status: outcome.status, answer: outcome.text.slice(0, 300) })}\n`,
      );
    const unexpected: Issue[] = [];
    const known = new Set<KnownFailure>();
    for (const issue of issuesOf(operation, request, outcome)) {
      const match = STRICT ? undefined : KNOWN_UNTIL_MERGE.find((k) => k.matches(request, outcome, issue));
      if (match) known.add(match);
      else unexpected.push(issue);
    }
    for (const match of known) {
      const entry = tally.known.get(match.id) ?? { count: 0, example: describeRequest(request) };
      entry.count += 1;
      tally.known.set(match.id, entry);
    }
    if (unexpected.length === 0) return true;
    for (const issue of unexpected) {
      const id = `${request.operationId} · ${issue.kind} · ${outcome.status}`;
      if (!tally.unexpected.has(id)) tally.unexpected.set(id, `${issue.message.slice(0, 1500)}\n  ${describeRequest(request)}`);
    }
    throw new Error(unexpected.map((i) => `${i.kind}: ${i.message.slice(0, 1500)}`).join('\n'));
  }

  it(
    'answers every generated request, valid or not, below 500 and as its OpenAPI document says',
    async () => {
      const failures: string[] = [];
      const run = async (name: string, arbitrary: fc.Arbitrary<FuzzRequest>, operation?: FuzzOperation) => {
        const seed = operationSeed(name);
        const details = await fc.check(
          fc.asyncProperty(arbitrary, (request) => probe(operation, request)),
          { seed, numRuns: RUNS, ...(PATH && ONLY ? { path: PATH } : {}) },
        );
        if (!details.failed) return;
        const request = details.counterexample?.[0];
        failures.push(
          `${name}: ${request ? describeRequest(request) : '(no counterexample)'}\n` +
            `    ${String(details.errorInstance instanceof Error ? details.errorInstance.message : details.errorInstance).replace(/\n/g, '\n    ')}\n` +
            `    replay: FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS} FUZZ_ONLY=${name} FUZZ_PATH=${details.counterexamplePath} (fast-check seed ${details.seed})`,
        );
      };
      for (const operation of operations) await run(operation.operationId, requestArbitrary(operation, context), operation);
      if (!ONLY || ONLY === 'undocumented') await run('undocumented', undocumentedRequestArbitrary(allOperations));

      expect(operations.length).toBeGreaterThan(0);
      if (failures.length) {
        const distinct = [...tally.unexpected].map(([id, text]) => `- ${id}: ${text}`).join('\n');
        throw new Error(
          `${failures.length} operation(s) failed; seed ${SEED}.\n\n${failures.join('\n\n')}\n\n` +
            `Distinct unexpected failures seen (shrinking included):\n${distinct}`,
        );
      }
    },
    30 * 60_000,
  );
});
