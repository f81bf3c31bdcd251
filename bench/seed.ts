import type { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';

export interface SeedOptions {
  count: number;
  establishmentCode?: string;
  /** Every n-th dossier asks 17,51 € (refused by the simulated issuer); 0: none. */
  refusedEvery?: number;
  /** When the debits fall due; default: an hour ago. */
  dueAt?: Date;
}

/**
 * Acknowledged dossiers whose debit is due, each with its approved imprint, inserted in bulk: the
 * starting point of the exactly-once test and of bench:scheduler.
 */
export async function seedDueDossiers(dataSource: DataSource, options: SeedOptions): Promise<{ establishmentId: string; ids: string[] }> {
  const code = options.establishmentCode ?? `SEED-${uuidv7().slice(-8)}`;
  const establishmentId = uuidv7();
  const regieId = uuidv7();
  const terminalId = uuidv7();
  const now = new Date();
  const dueAt = options.dueAt ?? new Date(now.getTime() - 3_600_000);
  await dataSource.query(`INSERT INTO establishment (id, code, name) VALUES ($1, $2, $2)`, [establishmentId, code]);
  await dataSource.query(`INSERT INTO regie (id, establishment_id, code, name) VALUES ($1, $2, 'REGIE-01', 'Régie')`, [regieId, establishmentId]);
  await dataSource.query(
    `INSERT INTO terminal (id, establishment_id, code, label, model, regie_id, regie_code, transport_url, transport_key, created_at, updated_at)
     VALUES ($1, $2, 'TPE-SEED', 'Seed', 'ICT250', $3, 'REGIE-01', 'tcp://127.0.0.1:1', $5, $4, $4)`,
    [terminalId, establishmentId, regieId, now, `seed://${terminalId}`],
  );
  const refusedEvery = options.refusedEvery ?? 0;
  const ids: string[] = [];
  for (let offset = 0; offset < options.count; offset += 10_000) {
    const n = Math.min(10_000, options.count - offset);
    const rows: { id: string }[] = await dataSource.query(
      `INSERT INTO dossier (id, establishment_id, regie_id, regie_code, gap_dossier_number, status, patient_last_name,
                            patient_first_name, patient_email, ceiling_cents, imprinted_at, imprint_valid_until, amount_cents,
                            payment_requested_at, notice_sent_at, acknowledged_at, completion_due_at, created_at, updated_at, version)
       SELECT gen_random_uuid(), $1, $2, 'REGIE-01', 'SEED-' || ($3 + g), 'acknowledged', 'Seed', 'Patient', 'seed@example.test',
              5000, $4::timestamptz - interval '5 days', $4::timestamptz + interval '20 days',
              CASE WHEN $6 > 0 AND ($3 + g) % $6 = 0 THEN 1751 ELSE 1700 + (($3 + g) % 40) END,
              $4::timestamptz - interval '4 days', $4::timestamptz - interval '4 days', $5, $5, $4, $4, 1
         FROM generate_series(1, $7) g
       RETURNING id`,
      [establishmentId, regieId, offset, now, dueAt, refusedEvery, n],
    );
    ids.push(...rows.map((r) => r.id));
  }
  await dataSource.query(
    `INSERT INTO imprint_attempt (id, dossier_id, establishment_id, terminal_id, ceiling_cents, status, reference, masked_pan,
                                  card_expiry, authorisation_number, acquirer_reference, terminal_model, itp_acceptance_server,
                                  itp_acceptance_point, requested_at, ended_at)
     SELECT gen_random_uuid(), d.id, d.establishment_id, $2, 5000, 'approved', left(replace(gen_random_uuid()::text, '-', ''), 10),
            '499999######1235', '2812', lpad((abs(hashtext(d.id::text)) % 1000000)::text, 6, '0'), 'SIM' || left(d.id::text, 8),
            'ICT250', '107560680804', '107560100803', d.imprinted_at, d.imprinted_at
       FROM dossier d WHERE d.establishment_id = $1`,
    [establishmentId, terminalId],
  );
  await dataSource.query(
    `UPDATE dossier d SET imprint_attempt_id = a.id FROM imprint_attempt a WHERE a.dossier_id = d.id AND d.establishment_id = $1`,
    [establishmentId],
  );
  return { establishmentId, ids };
}
