import fc from 'fast-check';
import { PROFILES } from '../profiles';
import { ProtocolError } from './errors';
import { maskPan } from './masking';
import { decodeV2Answer, decodeV2Request, decodeV3Answer, encodeV2Answer, encodeV2Request, v3RequestFields } from './messages';
import { ENQ, ETX, STX, encodeV2Frame, lrc, parseV2Stream } from './v2-stream';
import { encodeTlv, parseTlv } from './v3-tlv';

const profile = PROFILES.ICT250;

describe('Concert V2 framing', () => {
  it('frames a 12,50 € debit as the public notes describe (34 data bytes, 37 on the wire)', () => {
    const data = encodeV2Request(profile, { operation: 'debit', amountCents: 1250, reference: 'R1' });
    expect(data).toHaveLength(34);
    expect(data).toBe('01000012501' + '10978' + 'R1        ' + 'A010B010');
    const frame = encodeV2Frame(data);
    expect(frame).toHaveLength(37);
    expect(frame[0]).toBe(STX);
    expect(frame[35]).toBe(ETX);
    let x = 0;
    for (const b of Buffer.from(data, 'latin1')) x ^= b;
    expect(frame[36]).toBe(x ^ ETX);
  });

  it('has a 28-character E variant', () => {
    const e = { ...profile, v2: { ...profile.v2, variant: 'E' as const } };
    expect(encodeV2Request(e, { operation: 'debit', amountCents: 1, reference: 'X' })).toHaveLength(28);
  });

  it('parses control bytes, frames and noise, and keeps an unfinished frame for later', () => {
    const frame = encodeV2Frame('HELLO');
    const input = Buffer.concat([Buffer.from([0x41, ENQ]), frame, frame.subarray(0, 3)]);
    const { items, rest } = parseV2Stream(input);
    expect(items).toEqual([
      { kind: 'noise', bytes: 1 },
      { kind: 'control', control: 'ENQ' },
      { kind: 'frame', data: 'HELLO' },
    ]);
    expect(rest).toEqual(frame.subarray(0, 3));
  });

  it('reports a bad LRC as a bad frame', () => {
    const frame = encodeV2Frame('HELLO');
    frame[frame.length - 1] ^= 0xff;
    expect(parseV2Stream(frame).items).toEqual([{ kind: 'bad-frame', error: expect.any(ProtocolError) }]);
  });

  it('gives the same frames whatever the byte stream is cut into (property)', () => {
    const data = fc.string({ unit: fc.constantFrom(...'0123456789ABCDEF '.split('')), minLength: 1, maxLength: 90 });
    fc.assert(
      fc.property(fc.array(data, { minLength: 1, maxLength: 5 }), fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 20 }), (frames, cuts) => {
        const stream = Buffer.concat(frames.map(encodeV2Frame));
        const received: string[] = [];
        let carried: Buffer = Buffer.alloc(0);
        let offset = 0;
        for (const size of [...cuts, stream.length]) {
          const chunk = stream.subarray(offset, offset + size);
          offset += chunk.length;
          const { items, rest } = parseV2Stream(Buffer.concat([carried, chunk]));
          carried = rest;
          for (const item of items) if (item.kind === 'frame') received.push(item.data);
        }
        expect(received).toEqual(frames);
      }),
    );
  });

  it('never throws and always consumes or keeps a bounded rest on random and mutated input (fuzz)', () => {
    const valid = encodeV2Frame(encodeV2Request(profile, { operation: 'imprint', amountCents: 5000, reference: 'ABC' }));
    const mutated = fc
      .tuple(fc.integer({ min: 0, max: valid.length - 1 }), fc.integer({ min: 0, max: 255 }), fc.boolean())
      .map(([at, byte, drop]) => {
        const copy = Buffer.from(valid);
        if (drop) return Buffer.concat([copy.subarray(0, at), copy.subarray(at + 1)]);
        copy[at] = byte;
        return copy;
      });
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 2000 }).map((a) => Buffer.from(a)),
          mutated,
        ),
        (input) => {
          const { items, rest } = parseV2Stream(input);
          expect(rest.length).toBeLessThanOrEqual(input.length);
          expect(rest.length).toBeLessThan(300);
          for (const item of items) {
            if (item.kind === 'frame') {
              try {
                decodeV2Answer(profile, item.data);
              } catch (error) {
                expect(error).toBeInstanceOf(ProtocolError);
              }
            }
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('round-trips an answer, masking the card number on arrival', () => {
    const data = encodeV2Answer(profile, {
      status: 'accepted',
      amountCents: 5000,
      reference: 'ABC',
      cardNumber: '4999990000001235',
      cardExpiry: '2812',
      authorisationNumber: '123456',
      acquirerReference: 'ACQ000000001',
      registerNumber: '01',
      full: true,
    });
    expect(data).toHaveLength(80);
    expect(encodeV2Frame(data)).toHaveLength(83);
    const answer = decodeV2Answer(profile, data);
    expect(answer).toEqual({
      status: 'accepted',
      detail: null,
      amountCents: 5000,
      reference: 'ABC',
      maskedPan: '499999######1235',
      cardExpiry: '2812',
      authorisationNumber: '123456',
      acquirerReference: 'ACQ000000001',
      contractNumber: null,
    });
    expect(JSON.stringify(answer)).not.toContain('4999990000001235');
    const short = encodeV2Answer(profile, { ...answer, cardNumber: null, registerNumber: '01', full: false, status: 'refused' });
    expect(short).toHaveLength(25);
    expect(decodeV2Answer(profile, short).status).toBe('refused');
  });

  it('lets the terminal side read a register request', () => {
    const data = encodeV2Request(profile, { operation: 'imprint', amountCents: 4200, reference: 'REF42' });
    expect(decodeV2Request(data)).toEqual({
      registerNumber: '01',
      amountCents: 4200,
      fullAnswer: true,
      paymentMode: '1',
      transactionType: profile.v2.transactionTypes.imprint,
      currency: '978',
      reference: 'REF42',
    });
  });
});

describe('Concert V3 (Caisse-AP) TLV', () => {
  it('encodes CZ first and parses back', () => {
    const bytes = encodeTlv([
      ['CA', '01'],
      ['CZ', '0300'],
    ]);
    expect(bytes.toString()).toBe('CZ0040300CA00201');
    expect(parseTlv(bytes)).toEqual({
      fields: new Map([
        ['CZ', '0300'],
        ['CA', '01'],
      ]),
      consumed: 16,
    });
  });

  it('waits for the end of a split field', () => {
    const bytes = encodeTlv(v3RequestFields(profile, { operation: 'debit', amountCents: 1250, reference: 'R' }));
    const head = parseTlv(bytes.subarray(0, 12));
    expect(head.fields.get('CZ')).toBe('0300');
    expect(head.consumed).toBe(9);
    expect(head.error).toBeUndefined();
  });

  it('never throws on random or mutated input, and decodes only into typed errors (fuzz)', () => {
    const valid = encodeTlv([
      ['CZ', '0300'],
      ['CA', '01'],
      ['CB', '5000'],
      ['CD', '4'],
      ['CE', '978'],
      ['AE', '10'],
      ['AA', '499999######1235'],
    ]);
    const mutated = fc.tuple(fc.integer({ min: 0, max: valid.length - 1 }), fc.integer({ min: 0, max: 255 })).map(([at, byte]) => {
      const copy = Buffer.from(valid);
      copy[at] = byte;
      return copy;
    });
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 2000 }).map((a) => Buffer.from(a)),
          mutated,
        ),
        (input) => {
          const { fields, consumed, error } = parseTlv(input);
          expect(consumed).toBeLessThanOrEqual(input.length);
          if (error) expect(error).toBeInstanceOf(ProtocolError);
          try {
            decodeV3Answer(profile, fields);
          } catch (e) {
            expect(e).toBeInstanceOf(ProtocolError);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('maps the V3 statuses', () => {
    const base = new Map([
      ['CZ', '0300'],
      ['CA', '01'],
      ['CB', '100'],
      ['CD', '4'],
      ['CE', '978'],
    ]);
    expect(decodeV3Answer(profile, new Map([...base, ['AE', '10']])).status).toBe('accepted');
    expect(decodeV3Answer(profile, new Map([...base, ['AE', '01'], ['AF', '04']])).status).toBe('refused');
    const abandoned = decodeV3Answer(profile, new Map([...base, ['AE', '01'], ['AF', '06']]));
    expect(abandoned).toMatchObject({ status: 'not_done', detail: 'abandoned' });
    expect(() => decodeV3Answer(profile, new Map([...base]))).toThrow(ProtocolError);
  });
});

describe('masking', () => {
  it('keeps at most the first 6 and last 4 digits', () => {
    expect(maskPan('4999 9900 0000 1235')).toBe('499999######1235');
    expect(maskPan('12')).toBeNull();
  });
  it('computes the LRC of nothing as ETX', () => {
    expect(lrc(Buffer.alloc(0))).toBe(ETX);
  });
});
