import 'reflect-metadata';
import { benchApi } from './api.bench';
import { benchTerminal } from './terminal.bench';
import { benchScheduler } from './scheduler.bench';
import { benchNotify } from './notify.bench';
import { RatioRow, collectRatios, printSummary } from './support';

/**
 * `npm run bench`: every benchmark, one after the other, each with its own baseline; a bench that
 * fails is reported and the next one still runs. Ends with one table of every ratio.
 */
async function main(): Promise<number> {
  const benches: [string, () => Promise<unknown>][] = [
    ['api', benchApi],
    ['terminal', benchTerminal],
    ['scheduler', benchScheduler],
    ['notify', benchNotify],
  ];
  const only = process.env.BENCH_ONLY?.split(',');
  const rows: RatioRow[] = [];
  const failures: { bench: string; error: string }[] = [];
  for (const [name, bench] of benches) {
    if (only && !only.includes(name)) continue;
    console.log(`\n=== bench:${name} ===`);
    try {
      rows.push(...(await collectRatios(name, bench)));
    } catch (error) {
      console.error(error);
      failures.push({ bench: name, error: error instanceof Error ? error.message : String(error) });
    }
  }
  printSummary(rows, failures);
  return failures.length === 0 ? 0 : 1;
}

// A pool whose server was stopped between benches must not end the run: report it and go on.
process.on('uncaughtException', (error) => console.error('bench: uncaught error (run goes on):', error.message));

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
