import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { CONFIGURATION_DOC_FILE, ENV_EXAMPLE_FILE, renderConfigurationDoc, renderEnvExample } from './env-example';
import { SETTINGS } from './settings';
import { loadConfig } from './config';

const ROOT = resolve(__dirname, '../../..');

describe('.env.example and the configuration table, generated from the settings table', () => {
  it.each([
    [ENV_EXAMPLE_FILE, renderEnvExample],
    [CONFIGURATION_DOC_FILE, renderConfigurationDoc],
  ])('%s is up to date (run `npm run config:example` after changing libs/config/src/settings.ts)', (file, render) => {
    expect(readFileSync(resolve(ROOT, file), 'utf8')).toBe(render());
  });

  it('lists every variable once, with its default', () => {
    const example = renderEnvExample();
    for (const [name, spec] of Object.entries(SETTINGS)) {
      expect(example.match(new RegExp(`^#${name}=`, 'gm'))).toHaveLength(1);
      if ('default' in spec) expect(example).toContain(`#${name}=`);
    }
  });

  it('gives, uncommented, exactly the defaults loadConfig uses', () => {
    const uncommented = renderEnvExample()
      .split('\n')
      .filter((line) => /^#[A-Z_]+=/.test(line))
      .map((line) => line.slice(1))
      .join('\n');
    const values = parseEnv(uncommented) as Record<string, string>;
    for (const [name, spec] of Object.entries(SETTINGS)) {
      if ('default' in spec) expect([name, values[name]]).toEqual([name, spec.default]);
    }
    const onlyDefaults = Object.fromEntries(
      Object.entries(SETTINGS)
        .filter(([, s]) => 'default' in s)
        .map(([n]) => [n, values[n]]),
    );
    expect(loadConfig(onlyDefaults)).toEqual(loadConfig({}));
  });

  it('describes every variable in French', () => {
    for (const spec of Object.values(SETTINGS)) expect(spec.description.length).toBeGreaterThan(10);
  });
});
