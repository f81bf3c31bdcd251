import { LinkError, TerminalClient } from '@diapason/terminal-bridge';
import { TerminalSimulator, startTerminalSimulator } from '../simulators/terminal';

const FAST = 'controlTimeoutMs=300&answerTimeoutMs=1500&retries=3';
const withTiming = (url: string) => `${url}${url.includes('?') ? '&' : '?'}${FAST}`;

describe.each(['v3-tcp', 'v2-serial', 'v2-tcp'] as const)('terminal link over %s', (transport) => {
  let sim: TerminalSimulator;
  let client: TerminalClient;
  let terminalId: string;

  beforeAll(async () => {
    sim = await startTerminalSimulator();
    terminalId = `T-${transport}`;
    const running = await sim.add({ id: terminalId, model: 'ICT250', transport });
    client = new TerminalClient('ICT250', withTiming(running.transportUrl));
  });
  afterAll(async () => {
    await client.close();
    await sim.stop();
  });

  const control = (path: string, body: unknown) =>
    fetch(`${sim.controlUrl}/terminals/${terminalId}/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('approves an imprint with a masked card and references', async () => {
    const result = await client.imprint(5000, 'REF001');
    expect(result.recovered).toBe(false);
    expect(result.answer).toMatchObject({ status: 'accepted', amountCents: 5000, reference: 'REF001' });
    expect(result.answer.maskedPan).toMatch(/^499999#{6}\d{4}$/);
    expect(result.answer.authorisationNumber).toMatch(/^\d{6}$/);
    expect(result.answer.acquirerReference).toMatch(/^SIM/);
  });

  it('refuses for cents 02 and abandons for 05', async () => {
    expect((await client.imprint(5002, 'REF002')).answer.status).toBe('refused');
    expect((await client.imprint(5005, 'REF005')).answer.status).toBe('not_done');
  });

  it('times out for cents 08, after asking for the last transaction', async () => {
    await expect(client.imprint(5008, 'REF008')).rejects.toMatchObject({ code: 'timeout' });
  });

  it('does a plain debit', async () => {
    expect((await client.debit(1250, 'DEB001')).answer.status).toBe('accepted');
  });

  it('recovers an approval lost in a broken answer', async () => {
    await control('faults', { fault: 'disconnect_mid_frame' });
    const result = await client.imprint(4000, 'REF-LOST');
    expect(result.recovered).toBe(true);
    expect(result.answer).toMatchObject({ status: 'accepted', reference: 'REF-LOST' });
  });

  if (transport !== 'v3-tcp') {
    it.each(['nak', 'bad_lrc', 'drop_byte'])('survives %s on the line', async (fault) => {
      await control('faults', { fault });
      const result = await client.imprint(3000, `F-${fault}`.slice(0, 10));
      expect(result.answer.status).toBe('accepted');
    });
  }

  it('reports an unreachable terminal when muted', async () => {
    await control('faults', { fault: 'mute' });
    const error = await client.imprint(1000, 'MUTE').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LinkError);
    await control('reset', {});
  });
});
