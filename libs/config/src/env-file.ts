import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { ConfigError } from './config';
import { InvalidSetting } from './env-parsers';

/**
 * Loads `.env` (or `DIAPASON_ENV_FILE`) into the environment when the file exists. Variables already
 * in the environment win over the file, so `PORT=4000 npm start` overrides a `.env` that says 3000.
 * Returns the path read, if any.
 */
export function loadEnvFile(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string | undefined {
  const explicit = env.DIAPASON_ENV_FILE?.trim() || undefined;
  if (explicit === 'off') return undefined;
  const path = resolve(cwd, explicit ?? '.env');
  if (!existsSync(path)) {
    if (explicit) throw new ConfigError([new InvalidSetting('DIAPASON_ENV_FILE', `fichier « ${path} » introuvable.`)]);
    return undefined;
  }
  let values: Record<string, string>;
  try {
    values = parseEnv(readFileSync(path, 'utf8')) as Record<string, string>;
  } catch (error) {
    throw new ConfigError([
      new InvalidSetting('DIAPASON_ENV_FILE', `« ${path} » illisible : ${error instanceof Error ? error.message : String(error)}.`),
    ]);
  }
  for (const [name, value] of Object.entries(values)) {
    if (env[name] === undefined) env[name] = value;
  }
  return path;
}
