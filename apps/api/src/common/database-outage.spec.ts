import { isDatabaseUnavailable, serviceUnavailable } from './database-outage';
import { toProblem } from './problem.filter';

const pgError = (code: string, message = 'x') => Object.assign(new Error(message), { code, severity: 'FATAL' });
/** TypeORM wraps the driver's error (QueryFailedError) and copies its fields. */
const queryFailed = (driverError: Error) => Object.assign(new Error(driverError.message), { name: 'QueryFailedError', driverError });

describe('database outage', () => {
  it.each([
    ['connection refused', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['connection reset', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    ['administrator shutdown (57P01)', queryFailed(pgError('57P01', 'terminating connection due to administrator command'))],
    ['crash shutdown (57P02)', pgError('57P02')],
    ['cannot connect now (57P03)', pgError('57P03', 'the database system is starting up')],
    ['connection failure (08006)', pgError('08006')],
    ['too many connections (53300)', pgError('53300')],
    ['database closed to connections', pgError('55000', 'database "x" is not currently accepting connections')],
    ['connection terminated', new Error('Connection terminated unexpectedly')],
    ['pool timeout', new Error('timeout exceeded when trying to connect')],
    ['cause chain', new Error('query failed', { cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }) })],
    ['aggregate (every address refused)', new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })], '')],
  ])('%s is an outage: 503 service_unavailable with Retry-After', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
    const problem = toProblem(error);
    expect({ status: problem.getStatus(), code: problem.code, headers: problem.headers }).toEqual({
      status: 503,
      code: 'service_unavailable',
      headers: { 'Retry-After': '5' },
    });
  });

  it.each([
    ['a constraint violation', queryFailed(pgError('23505', 'duplicate key value violates unique constraint "x"'))],
    ['a data exception', queryFailed(pgError('22021', 'invalid byte sequence for encoding "UTF8": 0x00'))],
    ['another 55000', pgError('55000', 'object not in prerequisite state')],
    ['a plain bug', new TypeError('Cannot read properties of undefined')],
    ['not an error', 'boom'],
  ])('%s is not: still a 500', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
    expect(toProblem(error).getStatus()).toBe(500);
  });

  it('answers in French', () => {
    expect(serviceUnavailable().toBody()).toMatchObject({ status: 503, title: 'Service indisponible', code: 'service_unavailable' });
  });
});
