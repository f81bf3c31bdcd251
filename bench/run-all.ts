import 'reflect-metadata';
import { benchApi } from './api.bench';

/** `npm run bench`: every benchmark, one after the other, each with its own baseline. */
async function main(): Promise<void> {
  const benches: [string, () => Promise<void>][] = [['api', benchApi]];
  for (const [name, bench] of benches) {
    console.log(`\n=== bench:${name} ===`);
    await bench();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
