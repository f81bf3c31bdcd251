import { Client } from 'pg';
import { freshDatabase } from './support/fresh-database';
import { runProcess } from './support/processes';

/** Issue 10, points 1 and 4: console accounts and API keys from the command line. */

const CLI = 'dist/apps/cli/src/main.js';

describe('diapason user:create, api-key:list, api-key:revoke', () => {
  let database: { url: string; drop(): Promise<void> };
  let pg: Client;
  beforeAll(async () => {
    database = await freshDatabase();
    pg = new Client({ connectionString: database.url });
    await pg.connect();
  });
  afterAll(async () => {
    await pg.end();
    await database.drop();
  });
  const env = () => ({ NODE_ENV: 'test', LOG_LEVEL: 'warn', DATABASE_URL: database.url });

  it('creates a local account with a one-time password, to be changed at first login', async () => {
    const res = await runProcess(CLI, ['user:create', 'CH-CLI', 'marie.durand', 'caissier,regisseur', '--name', 'Marie Durand'], env());
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^[A-Za-z0-9]{5}(-[A-Za-z0-9]{5}){3}\n$/);
    expect(res.stderr).toContain('première connexion');
    const { rows } = await pg.query(
      `SELECT u.roles, u.must_change_password, u.password_hash FROM console_user u JOIN establishment e ON e.id = u.establishment_id WHERE e.code = 'CH-CLI'`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].roles).toEqual(['caissier', 'regisseur']);
    expect(rows[0].must_change_password).toBe(true);
    expect(rows[0].password_hash).toMatch(/^\$argon2id\$/);
    expect(rows[0].password_hash).not.toContain(res.stdout.trim());

    const again = await runProcess(CLI, ['user:create', 'CH-CLI', 'Marie.Durand', 'caissier'], env());
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('existe déjà');
  });

  it('refuses unknown roles with the usage exit code', async () => {
    const res = await runProcess(CLI, ['user:create', 'CH-CLI', 'paul.bernard', 'caissier,chef'], env());
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('« chef »');
    expect(res.stdout).toBe('');
  });

  it('lists keys without showing them, and revokes one by its prefix', async () => {
    const created = await runProcess(CLI, ['api-key:create', 'CH-CLI', '--label', 'GAP test'], env());
    const key = created.stdout.trim();
    const list = await runProcess(CLI, ['api-key:list', 'CH-CLI'], env());
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(key.slice(0, 12));
    expect(list.stdout).not.toContain(key);
    expect(list.stdout).toContain('active');

    const short = await runProcess(CLI, ['api-key:revoke', 'dpk_'], env());
    expect(short.code).toBe(2);
    const revoked = await runProcess(CLI, ['api-key:revoke', key.slice(0, 10)], env());
    expect(revoked.code).toBe(0);
    expect(revoked.stdout.trim()).toBe(key.slice(0, 12));
    const after = await runProcess(CLI, ['api-key:list'], env());
    expect(after.stdout).toMatch(/révoquée le/);
    const none = await runProcess(CLI, ['api-key:revoke', key.slice(0, 10)], env());
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('Aucune clé active');
  });
});
