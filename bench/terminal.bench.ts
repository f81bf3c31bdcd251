import 'reflect-metadata';
import { TerminalClient } from '@diapason/terminal-bridge';
import { bareV3Debit } from '../simulators/terminal/bare-register';
import { socatAvailable, startTerminalSimulator } from '../simulators/terminal';
import { RatioRow, closedLoop, figuresFrom, printFigures, printRatio } from './support';

/**
 * bench:terminal — (1) one imprint through the bridge over TCP (Concert V3) against the simulator
 * answering at once, beside the same exchange written with a bare socket; (2) one imprint over a
 * 9600-baud serial line (a pty paced like a cable) against the time the line itself needs for the
 * bytes exchanged: the physical limit.
 */
const TCP_COUNT = Number(process.env.BENCH_TERMINAL_TCP ?? 2000);
const SERIAL_COUNT = Number(process.env.BENCH_TERMINAL_SERIAL ?? 30);
const BAUD = 9600;

/** ENQ ACK, request frame (34 + 3), ACK EOT; ENQ ACK, full answer frame (80 + 3), ACK EOT. */
const V2_IMPRINT_BYTES = 2 + 37 + 2 + 2 + 83 + 2;

export async function benchTerminal(): Promise<RatioRow[]> {
  const rows: RatioRow[] = [];
  const sim = await startTerminalSimulator();
  try {
    const tcp = await sim.add({ id: 'BENCH-TCP', model: 'iWL280', transport: 'v3-tcp' });
    const url = new URL(tcp.transportUrl);
    const client = new TerminalClient('iWL280', tcp.transportUrl);
    for (let i = 0; i < 100; i += 1) await client.imprint(5000, `W${i}`);
    const ours = await closedLoop(TCP_COUNT, 1, async (i) => {
      const r = await client.imprint(5000, `B${i}`);
      if (r.answer.status !== 'accepted') throw new Error('not accepted');
    });
    for (let i = 0; i < 100; i += 1) await bareV3Debit(url.hostname, Number(url.port), 5000, '4');
    const bare = await closedLoop(TCP_COUNT, 1, async () => {
      const r = await bareV3Debit(url.hostname, Number(url.port), 5000, '4');
      if (r.get('AE') !== '10') throw new Error('not accepted');
    });
    const oursFigures = figuresFrom('bridge imprint over TCP (Concert V3)', ours.latencies, ours.seconds);
    const bareFigures = figuresFrom('bare socket, same exchange', bare.latencies, bare.seconds);
    printFigures(`bench:terminal — ${TCP_COUNT} sequential imprints, simulator answering at once`, [oursFigures, bareFigures]);
    rows.push(
      printRatio('p50 ms per TCP imprint ours / bare socket', oursFigures.p50Ms, bareFigures.p50Ms, {
        unit: 'ms',
        oursP99Ms: oursFigures.p99Ms,
        baselineP99Ms: bareFigures.p99Ms,
      }),
      printRatio('mean ms per TCP imprint ours / bare socket', 1000 / oursFigures.perSecond, 1000 / bareFigures.perSecond, { unit: 'ms' }),
    );
    await client.close();

    if (!socatAvailable()) {
      console.log('\n(serial part skipped: socat is not installed)');
      return rows;
    }
    const serial = await sim.add({ id: 'BENCH-SERIAL', model: 'ICT250', transport: 'v2-serial', baudRate: BAUD });
    const serialClient = new TerminalClient('ICT250', serial.transportUrl);
    await serialClient.imprint(5000, 'WARM');
    const line = await closedLoop(SERIAL_COUNT, 1, async (i) => {
      const r = await serialClient.imprint(5000, `S${i}`);
      if (r.answer.status !== 'accepted') throw new Error('not accepted');
    });
    await serialClient.close();
    const lineFigures = figuresFrom(`bridge imprint over a ${BAUD}-baud serial pty`, line.latencies, line.seconds);
    const physicalMs = (V2_IMPRINT_BYTES * 10 * 1000) / BAUD;
    printFigures(`bench:terminal — ${SERIAL_COUNT} imprints on a paced ${BAUD}-baud line`, [lineFigures]);
    console.log(`line time for the ${V2_IMPRINT_BYTES} bytes of one imprint at ${BAUD} baud (8N1): ${physicalMs.toFixed(1)} ms`);
    rows.push(printRatio('p50 ms per serial imprint ours / line time', lineFigures.p50Ms, physicalMs, { unit: 'ms' }));
    return rows;
  } finally {
    await sim.stop();
  }
}

if (require.main === module) {
  benchTerminal().then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
