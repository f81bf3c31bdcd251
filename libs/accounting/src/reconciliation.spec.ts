import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { addDays } from './calendar';
import { parseCfonb120 } from './cfonb120';
import { frenchIbanFromRib } from './iban';
import { CreditLine, Remittance, annualYearOf, creditLinesOf, normaliseReference, reconcile } from './reconciliation';
import { fromCfonb } from './statement';

const DFT = frenchIbanFromRib('10071', '75000', '00001005783');
const OTHER = frenchIbanFromRib('30004', '00823', '00010123456');

function remittance(id: string, settlementDate: string, totalCents: number, extra: Partial<Remittance> = {}): Remittance {
  return {
    id,
    contractNumber: '7560680',
    settlementAccount: DFT,
    settlementDate,
    totalCents,
    reference: null,
    debits: [{ id: `${id}-d`, amountCents: totalCents }],
    ...extra,
  };
}

function line(id: string, bookingDate: string, amountCents: number, extra: Partial<CreditLine> = {}): CreditLine {
  return { id, accountIban: DFT, bookingDate, amountCents, label: 'VIR SEPA', bankReference: null, endToEndId: null, additionalText: [], ...extra };
}

describe('reconciliation', () => {
  it('applies the year rule: the credit date decides', () => {
    expect(annualYearOf('2026-01-02')).toBe(2026);
    expect(annualYearOf('2025-12-31')).toBe(2025);
    expect(() => annualYearOf('31/12/2025')).toThrow(/Date de crédit invalide/);
  });

  it('normalises references the way banks mangle them', () => {
    expect(normaliseReference('rém-2026/0001')).toBe('REM20260001');
  });

  it('reconciles the DFT statement of the fixture', () => {
    const statement = fromCfonb(parseCfonb120(readFileSync(join(__dirname, 'fixtures', 'dft-10071-2026-01.cfonb120.txt'))));
    const lines = creditLinesOf(statement, 'cfonb:');
    expect(lines.map((credit) => credit.id)).toEqual(['cfonb:1-1', 'cfonb:1-2', 'cfonb:1-3', 'cfonb:2-1', 'cfonb:2-2', 'cfonb:3-1']);
    const remittances = [
      remittance('plbs-0102', '2026-01-02', 431_250, { reference: 'REM-2026-0001' }),
      remittance('ctl-0102', '2026-01-02', 187_640, { reference: 'RM2601020002' }),
      remittance('contact-0102', '2026-01-02', 1_203_417, {
        debits: [
          { id: 'a', amountCents: 1_203_000 },
          { id: 'b', amountCents: 400 },
        ],
      }),
      remittance('plbs-0105', '2026-01-05', 250_100, { reference: 'RM2601050001' }),
      remittance('other-0102', '2026-01-02', 98_765, { settlementAccount: OTHER }),
      remittance('plbs-0106', '2026-01-06', 5_000),
      remittance('plbs-0101', '2025-12-30', 7_700),
    ];
    const result = reconcile(remittances, lines, { asOf: '2026-01-07' });
    expect(result.matches.map((match) => [match.remittanceId, match.statementLineId, match.kind, match.differenceCents])).toEqual([
      ['plbs-0102', 'cfonb:1-1', 'reference', 0],
      ['ctl-0102', 'cfonb:1-2', 'reference', 0],
      ['contact-0102', 'cfonb:1-3', 'amount_and_date', 0],
      ['other-0102', 'cfonb:3-1', 'amount_and_date', 0],
      ['plbs-0105', 'cfonb:2-1', 'reference_amount_difference', -100],
    ]);
    expect(result.amountDifferences).toEqual([
      expect.objectContaining({ remittanceId: 'plbs-0105', expectedCents: 250_100, creditedCents: 250_000 }),
    ]);
    expect(result.debitsMismatches).toEqual([
      { remittanceId: 'contact-0102', totalCents: 1_203_417, debitsTotalCents: 1_203_400, differenceCents: 17 },
    ]);
    expect(result.unmatchedLineIds).toEqual(['cfonb:2-2']);
    expect(result.overdueRemittances).toEqual([
      { remittanceId: 'plbs-0101', settlementDate: '2025-12-30', expectedBy: '2026-01-05', totalCents: 7_700 },
    ]);
    expect(result.pendingRemittances).toEqual([
      { remittanceId: 'plbs-0106', settlementDate: '2026-01-06', expectedBy: '2026-01-09', totalCents: 5_000 },
    ]);
    expect(result.matches.every((match) => match.annualYear === 2026)).toBe(true);
  });

  it('counts the window in French business days', () => {
    // Wednesday 24 December 2025 + 2 business days: Christmas and the weekend fall in between.
    const remittances = [remittance('r', '2025-12-24', 1_000)];
    expect(reconcile(remittances, [line('l', '2025-12-29', 1_000)], { asOf: '2026-01-10', creditWindowBusinessDays: 2 }).matches).toHaveLength(1);
    const late = reconcile(remittances, [line('l', '2025-12-30', 1_000)], { asOf: '2026-01-10', creditWindowBusinessDays: 2 });
    expect(late.matches).toHaveLength(0);
    expect(late.overdueRemittances[0].expectedBy).toBe('2025-12-29');
  });

  it('files a December remittance credited in January under the new year', () => {
    const [match] = reconcile([remittance('r', '2025-12-31', 1_000)], [line('l', '2026-01-02', 1_000)], { asOf: '2026-01-05' }).matches;
    expect(match).toMatchObject({ creditDate: '2026-01-02', annualYear: 2026, creditedLate: false });
  });

  it('accepts a late credit when it carries the reference, and says it was late', () => {
    const [match] = reconcile(
      [remittance('r', '2026-01-05', 1_000, { reference: 'REM-9' })],
      [line('l', '2026-01-20', 1_000, { additionalText: ['REMISE REM 9'] })],
      {
        asOf: '2026-01-20',
      },
    ).matches;
    expect(match).toMatchObject({ kind: 'reference', creditedLate: true, expectedBy: '2026-01-08' });
  });

  it('never credits before the settlement date', () => {
    const result = reconcile([remittance('r', '2026-01-05', 1_000, { reference: 'REM-9' })], [line('l', '2026-01-02', 1_000, { label: 'REM 9' })], {
      asOf: '2026-01-06',
    });
    expect(result.matches).toHaveLength(0);
    expect(result.pendingRemittances).toHaveLength(1);
  });

  it('does not give a line carrying one remittance’s reference to another of the same amount', () => {
    const result = reconcile(
      [remittance('a', '2026-01-05', 1_000, { reference: 'REMA0001' }), remittance('b', '2026-01-05', 1_000)],
      [line('l1', '2026-01-05', 1_000, { bankReference: 'REMA0001' }), line('l2', '2026-01-06', 1_000)],
      { asOf: '2026-01-06' },
    );
    expect(result.matches.map((match) => [match.remittanceId, match.statementLineId])).toEqual([
      ['a', 'l1'],
      ['b', 'l2'],
    ]);
  });

  it('matches only lines of the settlement account', () => {
    const result = reconcile([remittance('r', '2026-01-05', 1_000)], [line('l', '2026-01-05', 1_000, { accountIban: OTHER })], {
      asOf: '2026-01-06',
    });
    expect(result.matches).toHaveLength(0);
    expect(result.unmatchedLineIds).toEqual(['l']);
  });

  it('refuses inputs that would make the result meaningless', () => {
    expect(() => reconcile([remittance('r', '2026-01-05', 1_000), remittance('r', '2026-01-06', 1)], [], { asOf: '2026-01-06' })).toThrow(
      /présente deux fois/,
    );
    expect(() => reconcile([remittance('r', '05/01/2026', 1_000)], [], { asOf: '2026-01-06' })).toThrow(/date de règlement invalide/);
    expect(() => reconcile([], [line('l', '2026-01-05', 10.5)], { asOf: '2026-01-06' })).toThrow(/nombre entier positif de centimes/);
    expect(() => reconcile([], [], { asOf: 'hier' })).toThrow(/Date de rapprochement invalide/);
  });

  describe('properties', () => {
    const day = fc.integer({ min: 0, max: 700 }).map((offset) => addDays('2025-01-01', offset));
    const scenario = fc
      .array(
        fc.record({
          settlementDate: day,
          totalCents: fc.oneof(fc.integer({ min: 1, max: 2_000 }), fc.constantFrom(1_000, 2_500)),
          withReference: fc.boolean(),
          referenceOnLine: fc.boolean(),
          delay: fc.integer({ min: 0, max: 3 }),
          field: fc.constantFrom('label', 'bankReference', 'endToEndId', 'additionalText'),
        }),
        { maxLength: 40 },
      )
      .map((items) => {
        const remittances: Remittance[] = [];
        const lines: CreditLine[] = [];
        items.forEach((item, index) => {
          const reference = item.withReference ? `REM-${String(index).padStart(5, '0')}` : null;
          remittances.push(remittance(`r${index}`, item.settlementDate, item.totalCents, { reference }));
          // A business-day delay within the default 3-day window, counted on calendar days from the settlement.
          let bookingDate = item.settlementDate;
          for (let remaining = item.delay; remaining > 0;) {
            bookingDate = addDays(bookingDate, 1);
            const weekday = new Date(`${bookingDate}T00:00:00Z`).getUTCDay();
            if (weekday !== 0 && weekday !== 6) remaining -= 1;
          }
          const carries = reference !== null && item.referenceOnLine;
          lines.push(
            line(`l${index}`, bookingDate, item.totalCents, {
              label: carries && item.field === 'label' ? `VIR ${reference}` : 'VIR SEPA',
              bankReference: carries && item.field === 'bankReference' ? reference : null,
              endToEndId: carries && item.field === 'endToEndId' ? reference : null,
              additionalText: carries && item.field === 'additionalText' ? [`REMISE ${reference}`] : [],
            }),
          );
        });
        return { remittances, lines };
      });

    it('matches every remittance credited exactly once, exactly once, and no line twice', () => {
      fc.assert(
        fc.property(scenario, ({ remittances, lines }) => {
          // Weekend-only delays may cross a public holiday: a calendar without holidays keeps the window exact.
          const isBusinessDay = (date: string) => ![0, 6].includes(new Date(`${date}T00:00:00Z`).getUTCDay());
          const result = reconcile(remittances, lines, { asOf: '2027-12-31', isBusinessDay });
          expect(result.matches).toHaveLength(remittances.length);
          expect(new Set(result.matches.map((match) => match.remittanceId)).size).toBe(remittances.length);
          expect(new Set(result.matches.map((match) => match.statementLineId)).size).toBe(remittances.length);
          expect(result.unmatchedLineIds).toEqual([]);
          expect(result.amountDifferences).toEqual([]);
          expect(result.overdueRemittances).toEqual([]);
          for (const match of result.matches) {
            if (match.kind === 'reference') expect(match.statementLineId).toBe(match.remittanceId.replace('r', 'l'));
          }
        }),
        { numRuns: 300 },
      );
    });

    it('never matches a line or a remittance twice, whatever the inputs, and ignores input order', () => {
      const anyLine = fc.record({
        bookingDate: day,
        amountCents: fc.integer({ min: 0, max: 50 }),
        label: fc.constantFrom('VIR', 'REM 00001', 'REM-00002 REM-00003'),
        account: fc.constantFrom(DFT, OTHER, null),
      });
      const anyRemittance = fc.record({
        settlementDate: day,
        totalCents: fc.integer({ min: 0, max: 50 }),
        reference: fc.constantFrom(null, 'REM-00001', 'REM-00002', 'REM-00003'),
        account: fc.constantFrom(DFT, OTHER, null),
      });
      fc.assert(
        fc.property(
          fc.array(anyRemittance, { maxLength: 30 }),
          fc.array(anyLine, { maxLength: 40 }),
          fc.integer(),
          (remittanceSpecs, lineSpecs, seed) => {
            const remittances = remittanceSpecs.map((spec, index) =>
              remittance(`r${index}`, spec.settlementDate, spec.totalCents, { reference: spec.reference, settlementAccount: spec.account }),
            );
            const lines = lineSpecs.map((spec, index) =>
              line(`l${index}`, spec.bookingDate, spec.amountCents, { label: spec.label, accountIban: spec.account }),
            );
            const result = reconcile(remittances, lines, { asOf: '2026-06-30' });
            expect(new Set(result.matches.map((match) => match.remittanceId)).size).toBe(result.matches.length);
            expect(new Set(result.matches.map((match) => match.statementLineId)).size).toBe(result.matches.length);
            expect(result.matches.length + result.unmatchedLineIds.length).toBe(lines.length);
            expect(result.matches.length + result.overdueRemittances.length + result.pendingRemittances.length).toBe(remittances.length);
            const shuffle = <T>(items: T[]) =>
              items
                .map((item, index) => ({ item, key: (index * 7919 + seed) % 104729 }))
                .sort((a, b) => a.key - b.key)
                .map(({ item }) => item);
            expect(reconcile(shuffle([...remittances]), shuffle([...lines]), { asOf: '2026-06-30' })).toEqual(result);
          },
        ),
        { numRuns: 300 },
      );
    });
  });

  it('reconciles 1,500 remittances against 3,000 lines well under a second', () => {
    const remittances: Remittance[] = [];
    const lines: CreditLine[] = [];
    for (let index = 0; index < 1_500; index += 1) {
      const settlementDate = addDays('2025-01-06', Math.floor(index / 6));
      const totalCents = 1_000 + ((index * 37) % 500);
      remittances.push(remittance(`r${index}`, settlementDate, totalCents, { reference: index % 3 === 0 ? `REM-${index}` : null }));
      lines.push(
        line(`l${index}`, addDays(settlementDate, 1), totalCents, { label: index % 3 === 0 ? `VIR SEPA REMISE REM ${index}` : 'VIR SEPA CB' }),
      );
      lines.push(
        line(`n${index}`, addDays(settlementDate, 2), 100_000 + index, { label: 'VIR SEPA CPAM REMBT', additionalText: ['CAISSE PRIMAIRE'] }),
      );
    }
    const started = performance.now();
    const result = reconcile(remittances, lines, { asOf: '2026-12-31' });
    const elapsedMs = performance.now() - started;
    expect(result.matches).toHaveLength(1_500);
    expect(result.unmatchedLineIds).toHaveLength(1_500);
    expect(elapsedMs).toBeLessThan(1_000);
  });
});
