import 'reflect-metadata';
import { benchApi } from './api.bench';
import { benchTerminal } from './terminal.bench';
import { benchScheduler } from './scheduler.bench';
import { benchNotify } from './notify.bench';

/** `npm run bench`: every benchmark, one after the other, each with its own baseline. */
async function main(): Promise<void> {
  const benches: [string, () => Promise<void>][] = [
    ['api', benchApi],
    ['terminal', benchTerminal],
    ['scheduler', benchScheduler],
    ['notify', benchNotify],
  ];
  for (const [name, bench] of benches) {
    console.log(`\n=== bench:${name} ===`);
    await bench();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
