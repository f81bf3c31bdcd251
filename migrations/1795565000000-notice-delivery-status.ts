import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The SMS provider's delivery status of a notice (Twilio's `MessageStatus`), which only moves
 * forward: queued < sending < sent < delivered; delivered, undelivered and failed are final. The
 * rank lives in SQL so that one conditional UPDATE decides, even for concurrent callbacks.
 */
export class NoticeDeliveryStatus1795565000000 implements MigrationInterface {
  name = 'NoticeDeliveryStatus1795565000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION notice_delivery_rank(status text) RETURNS integer
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT CASE status
          WHEN 'queued' THEN 1
          WHEN 'sending' THEN 2
          WHEN 'sent' THEN 3
          WHEN 'delivered' THEN 4
          WHEN 'undelivered' THEN 4
          WHEN 'failed' THEN 4
          ELSE 0
        END
      $$`);
    await q.query(`
      ALTER TABLE notice
        ADD COLUMN delivery_status varchar(16)
          CHECK (delivery_status IN ('queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed')),
        ADD COLUMN delivery_status_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE notice DROP COLUMN delivery_status, DROP COLUMN delivery_status_at`);
    await q.query(`DROP FUNCTION notice_delivery_rank(text)`);
  }
}
