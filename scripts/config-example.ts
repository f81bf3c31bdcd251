import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CONFIGURATION_DOC_FILE, ENV_EXAMPLE_FILE, renderConfigurationDoc, renderEnvExample } from '@diapason/config';

/** `npm run config:example`: writes `.env.example` and the configuration table from the one definition. */
const root = resolve(__dirname, '..', '..');
for (const [file, content] of [
  [ENV_EXAMPLE_FILE, renderEnvExample()],
  [CONFIGURATION_DOC_FILE, renderConfigurationDoc()],
] as const) {
  const path = resolve(root, file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  process.stdout.write(`${file} écrit\n`);
}
