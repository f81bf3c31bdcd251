import { Writable } from 'node:stream';
import pino from 'pino';
import { loadConfig } from './config';
import { pinoOptions } from './logging';
import { describeError, redactRequestUrl, scrubText, serializeError, serializeRequest, serializeResponse } from './redaction';

/** A QueryFailedError as TypeORM builds it: the driver's error copied onto itself, with the query and its parameters. */
function queryFailedError(): Error {
  const driver = Object.assign(new Error('new row for relation "dossier" violates check constraint "dossier_probe"'), {
    name: 'error',
    severity: 'ERROR',
    code: '23514',
    detail: 'Failing row contains (42, Quenouille, Ophélie, +33639984217, ophelie@example.test).',
    schema: 'public',
    table: 'dossier',
    constraint: 'dossier_probe',
    where: 'SQL statement "INSERT …" with Ophélie',
    routine: 'ExecConstraints',
  });
  return Object.assign(new Error(driver.message), {
    ...driver,
    name: 'QueryFailedError',
    message: driver.message,
    query: 'INSERT INTO dossier (patient_last_name, patient_first_name) VALUES ($1, $2)',
    parameters: ['Quenouille', 'Ophélie'],
    driverError: driver,
  });
}

describe('log redaction', () => {
  it('keeps what identifies a failed query (SQLSTATE, constraint, table) and nothing of its row', () => {
    const serialized = serializeError(queryFailedError()) as Record<string, unknown>;
    expect(serialized).toMatchObject({ code: '23514', constraint: 'dossier_probe', table: 'dossier', severity: 'ERROR' });
    expect(serialized.message).toBe('new row for relation "dossier" violates check constraint "dossier_probe"');
    for (const key of ['detail', 'parameters', 'query', 'where', 'driverError']) expect(serialized).not.toHaveProperty(key);
    expect(JSON.stringify(serialized)).not.toMatch(/Quenouille|Ophélie|39984217|ophelie/);
  });

  it('cleans other errors: HTTP client configuration dropped, texts scrubbed, causes too', () => {
    const axiosLike = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
      code: 'ECONNREFUSED',
      config: { auth: { password: 'twilio-token' }, data: 'To=%2B33639984217&Body=lien' },
      request: { path: '/2010-04-01/Accounts' },
    });
    const wrapped = new Error('SMS refusé : 550 5.1.1 <ophelie.quenouille@example.test>: Recipient address rejected', { cause: axiosLike });
    const serialized = serializeError(wrapped) as Record<string, unknown>;
    const text = JSON.stringify(serialized);
    expect(text).not.toMatch(/twilio-token|39984217|ophelie/);
    expect(serialized.message).toContain('550 5.1.1 <[masqué]>');
    expect(serializeError(axiosLike)).toMatchObject({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:1' });
    expect(serializeError('plain text with +33639984217')).toBe('plain text with [masqué]');
    expect(serializeError(undefined)).toBeUndefined();
  });

  it('scrubs what libraries copy into texts', () => {
    expect(scrubText('Failing row contains (1, Quenouille, Ophélie).')).toBe('Failing row contains [masqué]');
    expect(scrubText('Key (email)=(ophelie@example.test) already exists.')).toBe('Key (email)=([masqué]) already exists.');
    expect(scrubText('invalid input syntax for type uuid: "Ophélie"')).toBe('invalid input syntax for type uuid: "[masqué]"');
    expect(scrubText('null value in column "name" of relation "regie" violates not-null constraint')).toBe(
      'null value in column "name" of relation "regie" violates not-null constraint',
    );
    expect(scrubText('postgres://diapason:s3cret@db:5432/diapason')).toBe('postgres://[masqué]@db:5432/diapason');
    expect(scrubText('GET https://gap.example/hooks?token=abc failed')).toBe('GET https://gap.example/hooks?[masqué] failed');
    expect(scrubText('see http://localhost:3000/p/AaIQC7txcFq-rVqd21VrQGsHeV4uaNqnd7vuuD5MfSU/o.gif')).toBe(
      'see http://localhost:3000/p/[masqué]/o.gif',
    );
    expect(scrubText('Authorization: Bearer dpk_abcdefghijklmnop')).toBe('Authorization: Bearer [masqué]');
    expect(scrubText('key dpk_abcdefghijklmnop_-12')).toBe('key [masqué]');
    expect(scrubText('appel au 06 39 98 42 17 ou 0639984217 ou +33 6 39 98 42 17')).toBe('appel au [masqué] ou [masqué] ou [masqué]');
    expect(scrubText('a\u0000b')).toBe('ab');
    // Stack frames and durations are left alone.
    const frame = '    at Router.handle (/srv/node_modules/@nestjs/core/router/router-explorer.js:12:3) after 1500 ms';
    expect(scrubText(frame)).toBe(frame);
  });

  it('logs request paths without patient tokens nor query strings, and responses without headers', () => {
    expect(redactRequestUrl('/p/AaIQC7txcFq-rVqd21VrQGsHeV4uaNqnd7vuuD5MfSU?fait=autre-paiement')).toBe('/p/[masqué]?[masqué]');
    expect(redactRequestUrl('/v1/dossiers?gapDossierNumber=x')).toBe('/v1/dossiers?[masqué]');
    expect(redactRequestUrl('/v1/dossiers/5b0c')).toBe('/v1/dossiers/5b0c');
    expect(
      serializeRequest({ id: 'r1', method: 'POST', url: '/p/tok/prise-de-connaissance', headers: { authorization: 'Bearer x' } } as never),
    ).toEqual({
      id: 'r1',
      method: 'POST',
      url: '/p/[masqué]/prise-de-connaissance',
    });
    expect(serializeResponse({ statusCode: 303, headers: { location: '/p/tok' } } as never)).toEqual({ statusCode: 303 });
  });

  it('describes an error for a console without its values', () => {
    const error = new Error('invalid input syntax for type integer: "Ophélie"');
    expect(describeError(error)).toBe('invalid input syntax for type integer: "[masqué]"');
    expect(describeError(error, true)).toMatch(/^Error: invalid input syntax for type integer: "\[masqué\]"\n\s+at /);
    expect(describeError('postgres://u:p@h/db')).toBe('postgres://[masqué]@h/db');
  });

  it('pinoOptions: known keys at any level, messages, err, req, res, as the processes write them', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'trace',
      DATABASE_URL: 'postgres://localhost/x',
      DIAPASON_TOKEN_SECRET: 'x'.repeat(40),
    });
    const logger = pino(pinoOptions(config, 'test'), sink);
    logger.info({ patient: { lastName: 'Quenouille', contact: { phone: '+33639984217', email: 'o@example.test' } }, secret: 'whsec_1' }, 'created');
    logger.warn({ endpoint: { url: 'https://gap.example/h?sig=1', token: 'abc' } }, 'sending to %s', 'ophelie.quenouille@example.test');
    logger.error({ err: queryFailedError(), path: '/p/AaIQC7txcFq-rVqd21VrQGsHeV4uaNqnd7vuuD5MfSU' }, 'request failed');
    logger.info({
      req: { id: 'r', method: 'GET', url: '/p/tok?fait=x', headers: { cookie: 'sid=1' } },
      res: { statusCode: 303, headers: { location: '/p/tok' } },
    });
    const text = lines.join('');
    expect(text).not.toMatch(/Quenouille|Ophélie|39984217|o@example|whsec_1|sig=1|"abc"|AaIQC7|\/p\/tok|sid=1|ophelie/);
    const [created, sending, failed, request] = lines.map((l) => JSON.parse(l) as Record<string, any>);
    expect(created.patient).toEqual({ lastName: '[masqué]', contact: { phone: '[masqué]', email: '[masqué]' } });
    expect(sending.msg).toBe('sending to [masqué]');
    expect(sending.endpoint).toEqual({ url: 'https://gap.example/h?[masqué]', token: '[masqué]' });
    expect(failed.err).toMatchObject({ code: '23514', constraint: 'dossier_probe', table: 'dossier' });
    expect(failed.path).toBe('/p/[masqué]');
    expect(request.req).toEqual({ id: 'r', method: 'GET', url: '/p/[masqué]?[masqué]' });
    expect(request.res).toEqual({ statusCode: 303 });
  });
});
