import { PatientLinkTokens } from './patient-link';

describe('patient link tokens', () => {
  const tokens = new PatientLinkTokens('a-secret-of-at-least-thirty-two-characters');
  const id = '01a20000-1111-7222-8333-444455556666';
  const now = new Date('2026-11-23T10:00:00Z');

  it('round-trips and fits in an SMS', () => {
    const token = tokens.sign(id, new Date('2027-01-01T00:00:00Z'));
    expect(token).toHaveLength(43);
    expect(tokens.verify(token, now)).toEqual({ noticeId: id });
  });

  it('refuses tampered, foreign and expired tokens', () => {
    const token = tokens.sign(id, new Date('2027-01-01T00:00:00Z'));
    const tampered = token.slice(0, 5) + (token[5] === 'A' ? 'B' : 'A') + token.slice(6);
    expect(tokens.verify(tampered, now)).toEqual({ error: 'invalid' });
    const other = new PatientLinkTokens('another-secret-of-thirty-two-characters!!');
    expect(other.verify(token, now)).toEqual({ error: 'invalid' });
    expect(tokens.verify(tokens.sign(id, new Date('2026-11-22T00:00:00Z')), now)).toEqual({ error: 'expired' });
    expect(tokens.verify('short', now)).toEqual({ error: 'invalid' });
  });
});
