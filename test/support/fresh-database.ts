import { randomBytes } from 'node:crypto';
import { TEMPLATE_DATABASE, adminQuery, databaseUrl } from './test-database';

/** A database of its own for one suite, copied from the migrated template. */
export async function freshDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = process.env.DIAPASON_TEST_ADMIN_URL;
  if (!adminUrl) throw new Error('DIAPASON_TEST_ADMIN_URL is not set: run the e2e suites through jest');
  const name = `test_${randomBytes(6).toString('hex')}`;
  await adminQuery(adminUrl, `CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DATABASE}`);
  return {
    url: databaseUrl(adminUrl, name),
    drop: () => adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}
