import { MigrationInterface, QueryRunner } from 'typeorm';
import { parseTransportUrl, transportKey } from '@diapason/terminal-bridge';

/**
 * A physical terminal belongs to one terminal record: the normalised address of its link
 * (`transport_key`) is unique among the terminals in service, in the whole database. Terminals can
 * be retired (`retired_at`): a retired terminal keeps its history, frees its address and its code.
 *
 * Existing records sharing an address (the takeover this closes) keep the oldest in service; the
 * later ones are retired, with the reason in their last error.
 */
export class TerminalOwnership1795565041201 implements MigrationInterface {
  name = 'TerminalOwnership1795565041201';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE terminal ADD COLUMN transport_key varchar(600), ADD COLUMN retired_at timestamptz`);
    const rows = (await q.query(`SELECT id, transport_url, bridge_host FROM terminal ORDER BY created_at, id`)) as {
      id: string;
      transport_url: string;
      bridge_host: string | null;
    }[];
    const holders = new Set<string>();
    for (const row of rows) {
      let key: string;
      try {
        key = transportKey(parseTransportUrl(row.transport_url), row.bridge_host);
      } catch {
        key = `invalid:${row.id}`;
      }
      if (holders.has(key)) {
        await q.query(
          `UPDATE terminal SET transport_key = $2, retired_at = now(), last_error_at = now(),
                  last_error = 'Retiré à la mise à jour : adresse déjà déclarée pour un autre terminal.'
            WHERE id = $1`,
          [row.id, key],
        );
        continue;
      }
      holders.add(key);
      await q.query(`UPDATE terminal SET transport_key = $2 WHERE id = $1`, [row.id, key]);
    }
    await q.query(`ALTER TABLE terminal ALTER COLUMN transport_key SET NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX terminal_transport_key_in_service ON terminal (transport_key) WHERE retired_at IS NULL`);
    await q.query(`ALTER TABLE terminal DROP CONSTRAINT terminal_establishment_code_key`);
    await q.query(`CREATE UNIQUE INDEX terminal_establishment_code_key ON terminal (establishment_id, code) WHERE retired_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX terminal_establishment_code_key`);
    await q.query(`ALTER TABLE terminal ADD CONSTRAINT terminal_establishment_code_key UNIQUE (establishment_id, code)`);
    await q.query(`DROP INDEX terminal_transport_key_in_service`);
    await q.query(`ALTER TABLE terminal DROP COLUMN retired_at, DROP COLUMN transport_key`);
  }
}
