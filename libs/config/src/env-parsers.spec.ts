import { BadValue, cidrList, duration, retentionInterval, retentionPeriod } from './env-parsers';

const refusal = (text: string): string => {
  try {
    duration(text);
  } catch (error) {
    if (error instanceof BadValue) return error.message;
    throw error;
  }
  throw new Error(`${text} was accepted`);
};

describe('durations', () => {
  it.each([
    ['3j', 3 * 86_400_000],
    ['3d', 3 * 86_400_000],
    ['12h', 12 * 3_600_000],
    ['10m', 600_000],
    ['30s', 30_000],
    ['500ms', 500],
    ['1,5h', 5_400_000],
    ['1.5h', 5_400_000],
    ['2 j', 2 * 86_400_000],
  ])('reads %s', (text, expected) => {
    expect(duration(text)).toBe(expected);
  });

  it('refuses 1M, a minute to the ms package and a month to a French reader', () => {
    expect(refusal('1M')).toMatch(/ambigu.*minute ou mois/);
  });

  it.each(['1y', '1w', '1 week', '2 weeks', '1mo', '1 mois', '1an', '3 days', '1 Day'])('refuses %s with the accepted units', (text) => {
    expect(refusal(text)).toMatch(/non acceptée.*j \(ou d\) jours/);
  });

  it.each(['3D', '12H', '10S', '500MS', '3J'])('asks for a lower-case unit in %s', (text) => {
    expect(refusal(text)).toMatch(/minuscules/);
  });

  it.each(['15', '0s', '-3d', 'bientôt', '', '3 j j'])('refuses %p', (text) => {
    expect(refusal(text)).toContain(`« ${text} »`);
  });
});

describe('CIDR lists (DIAPASON_WEBHOOK_ALLOWED_NETWORKS)', () => {
  it('reads networks separated by commas, a bare address as itself, and normalises them', () => {
    expect(cidrList(' 10.20.0.0/16, 192.168.1.10 ,fd12:3456:0::/48,127.0.0.1/32,')).toEqual([
      '10.20.0.0/16',
      '192.168.1.10/32',
      'fd12:3456::/48',
      '127.0.0.1/32',
    ]);
  });

  it.each(['10.0.0.0/33', '0x0a000000/8', '012.0.0.0/8', '10.0.0/8', 'fe80::1%eth0/64', 'gap.chu.lan', '10.0.0.0/8/1', '::/129', '10.0.0.0/-1'])(
    'refuses %s, naming it',
    (entry) => {
      expect(() => cidrList(`10.0.0.0/8,${entry}`)).toThrow(
        new BadValue(`« ${entry} » n'est pas un réseau en notation CIDR (exemples : 10.20.0.0/16, 192.168.1.10/32, fd12:3456::/48).`),
      );
    },
  );
});

describe('retention periods', () => {
  it.each([
    ['13mois', { months: 13 }],
    ['13 mois', { months: 13 }],
    ['1mois', { months: 1 }],
    ['395j', { ms: 395 * 86_400_000 }],
    ['12h', { ms: 12 * 3_600_000 }],
  ])('reads %s', (text, expected) => {
    expect(retentionPeriod(text)).toEqual(expected);
  });

  it.each(['13M', '13mo', '1an', '0mois', 'bientôt'])('refuses %s, saying how months are written', (text) => {
    expect(() => retentionPeriod(text)).toThrow(BadValue);
    if (text !== '0mois') expect(() => retentionPeriod(text)).toThrow(/13mois/);
  });

  it('writes PostgreSQL intervals', () => {
    expect(retentionInterval({ months: 13 })).toBe('13 months');
    expect(retentionInterval({ ms: 1500 })).toBe('1500 milliseconds');
  });
});
