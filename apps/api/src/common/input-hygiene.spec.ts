import { MAX_JSON_DEPTH, findLoneSurrogate, findNulByte, jsonDepthExceeds, refuseDeepJson } from './input-hygiene';
import { ProblemException } from './problem';

const depth = (n: number) => Buffer.from('['.repeat(n) + ']'.repeat(n));

describe('input hygiene', () => {
  it('measures the nesting of a JSON text on its bytes, strings and escapes aside', () => {
    expect(jsonDepthExceeds(depth(MAX_JSON_DEPTH), MAX_JSON_DEPTH)).toBe(false);
    expect(jsonDepthExceeds(depth(MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH)).toBe(true);
    expect(jsonDepthExceeds(Buffer.from('{"a":' + '{"b":1},'.repeat(1000) + '"c":[]}'), 2)).toBe(false);
    expect(jsonDepthExceeds(Buffer.from(JSON.stringify({ s: '[[[[{{{{"\\' + '['.repeat(100) })), 1)).toBe(false);
    expect(jsonDepthExceeds(Buffer.from(JSON.stringify({ s: 'é€😀', t: [[[1]]] })), 3)).toBe(true);
    expect(() => refuseDeepJson(undefined, undefined, depth(5000))).toThrow(ProblemException);
    expect(() => refuseDeepJson(undefined, undefined, Buffer.from('{"a":[1,2]}'))).not.toThrow();
  });

  it('finds the first lone surrogate in a value or a key, with its path; paired surrogates are fine', () => {
    expect(findLoneSurrogate({ patient: { email: '\ud800@example.test' } })).toBe('patient.email');
    expect(findLoneSurrogate({ list: ['ok', 'x\udc00'] })).toBe('list.1');
    expect(findLoneSurrogate({ name: 'Émile 😀' })).toBeUndefined();
  });

  it('finds the first NUL byte in a value or a key, with its path', () => {
    expect(findNulByte({ patient: { lastName: 'A\u0000' } })).toBe('patient.lastName');
    expect(findNulByte({ eventTypes: ['*', 'x\u0000'] })).toBe('eventTypes.1');
    expect(findNulByte({ ['a\u0000']: 1 })).toBe('a\u0000');
    expect(findNulByte({ a: 1, b: [true, null, { c: 'ok' }] })).toBeUndefined();
    expect(findNulByte(undefined)).toBeUndefined();
    expect(findNulByte('\u0000')).toBe('');
  });
});
