import { Injectable } from '@nestjs/common';
import { In, IsNull } from 'typeorm';
import { ImprintAttemptEntity, TerminalEntity } from '../entities';
import { returnedRows } from '../raw-result';
import { camelRows } from '../rows';
import { TransactionContext } from '../transaction-context';

/** Bridges LISTEN here: a new imprint attempt wakes them at once. */
export const IMPRINT_CHANNEL = 'diapason_imprint';

export interface ClaimedAttempt {
  attempt: ImprintAttemptEntity;
  terminal: TerminalEntity;
}

/** A terminal as declared: never seen, never busy, in service. */
export function newTerminal(
  fields: Pick<
    TerminalEntity,
    'id' | 'establishmentId' | 'code' | 'label' | 'model' | 'regieId' | 'regieCode' | 'transportUrl' | 'transportKey' | 'bridgeHost'
  >,
  at: Date,
): TerminalEntity {
  return {
    ...fields,
    retiredAt: null,
    busyUntil: null,
    busyWith: null,
    lastSeenAt: null,
    lastLatencyMs: null,
    lastError: null,
    lastErrorAt: null,
    createdAt: at,
    updatedAt: at,
  };
}

@Injectable()
export class TerminalRepository {
  constructor(private readonly tx: TransactionContext) {}

  async create(terminal: TerminalEntity): Promise<void> {
    await this.tx.manager.insert(TerminalEntity, terminal);
  }

  /**
   * The terminal in service with this code in the establishment. `lock`: `update` before editing
   * or retiring it, `share` before queuing a transaction on it (inside a transaction): the two
   * then wait for each other.
   */
  findByCode(establishmentId: string, code: string, options: { lock?: 'update' | 'share' } = {}): Promise<TerminalEntity | null> {
    const where = { establishmentId, code, retiredAt: IsNull() };
    if (!options.lock) return this.tx.manager.findOneBy(TerminalEntity, where);
    return this.tx.manager.findOne(TerminalEntity, {
      where,
      lock: { mode: options.lock === 'update' ? 'pessimistic_write' : 'pessimistic_read' },
    });
  }

  /** Terminals in service with this code, in every establishment (the command line names terminals by code). */
  findByCodeEverywhere(code: string): Promise<TerminalEntity[]> {
    return this.tx.manager.findBy(TerminalEntity, { code, retiredAt: IsNull() });
  }

  /**
   * Serialises the checks of "is this address free?" with the writes that take one, across
   * every api process, until the end of the current transaction.
   */
  async lockAddresses(): Promise<void> {
    await this.tx.manager.query(`SELECT pg_advisory_xact_lock(hashtext('diapason:terminal-address'))`);
  }

  /** Whether a terminal in service other than `exceptId` holds one of these normalised addresses. */
  async addressTaken(keys: string[], exceptId?: string): Promise<boolean> {
    if (keys.length === 0) return false;
    const rows: unknown[] = await this.tx.manager.query(
      `SELECT 1 FROM terminal WHERE retired_at IS NULL AND transport_key = ANY($1) AND ($2::uuid IS NULL OR id <> $2) LIMIT 1`,
      [keys, exceptId ?? null],
    );
    return rows.length > 0;
  }

  /** Bridge hosts (`''`: any bridge) of the terminals in service on this serial device, `exceptId` aside. */
  async serialHostsOf(path: string, exceptId?: string): Promise<string[]> {
    const rows: { host: string }[] = await this.tx.manager.query(
      `SELECT substring(transport_key FROM '^serial://([^/]*)') AS host FROM terminal
        WHERE retired_at IS NULL AND transport_key LIKE 'serial://%'
          AND regexp_replace(transport_key, '^serial://[^/]*', '') = $1 AND ($2::uuid IS NULL OR id <> $2)`,
      [path, exceptId ?? null],
    );
    return rows.map((r) => r.host);
  }

  /** An imprint is queued or running on the terminal, or a bridge holds it for an exchange. */
  async isBusy(terminalId: string, now: Date): Promise<boolean> {
    const rows: unknown[] = await this.tx.manager.query(
      `SELECT 1 FROM terminal t WHERE t.id = $1 AND (t.busy_until > $2
          OR EXISTS (SELECT 1 FROM imprint_attempt a WHERE a.terminal_id = t.id AND a.status IN ('pending', 'running')))`,
      [terminalId, now],
    );
    return rows.length > 0;
  }

  findById(id: string): Promise<TerminalEntity | null> {
    return this.tx.manager.findOneBy(TerminalEntity, { id });
  }

  findByIds(ids: string[]): Promise<TerminalEntity[]> {
    return ids.length === 0 ? Promise.resolve([]) : this.tx.manager.findBy(TerminalEntity, { id: In(ids) });
  }

  /** The establishment's terminals in service; with `includeRetired`, the retired ones after them. */
  list(establishmentId: string, options: { includeRetired?: boolean } = {}): Promise<TerminalEntity[]> {
    return this.tx.manager.find(TerminalEntity, {
      where: options.includeRetired ? { establishmentId } : { establishmentId, retiredAt: IsNull() },
      order: { retiredAt: { direction: 'ASC', nulls: 'FIRST' }, code: 'ASC', createdAt: 'ASC' },
    });
  }

  async update(id: string, patch: Partial<TerminalEntity>): Promise<void> {
    await this.tx.manager.update(TerminalEntity, { id }, patch);
  }

  /**
   * Takes the terminal for one exchange (a check, a transaction) unless another bridge holds it;
   * the lease ends by itself if that bridge dies.
   */
  async claim(terminalId: string, busyWith: string, now: Date, leaseMs: number): Promise<boolean> {
    const result: unknown = await this.tx.manager.query(
      `UPDATE terminal SET busy_until = $3, busy_with = $4
        WHERE id = $1 AND (busy_until IS NULL OR busy_until < $2 OR busy_with = $4) RETURNING id`,
      [terminalId, now, new Date(now.getTime() + leaseMs), busyWith],
    );
    return returnedRows(result).length === 1;
  }

  async release(terminalId: string, busyWith: string): Promise<void> {
    await this.tx.manager.query(`UPDATE terminal SET busy_until = NULL, busy_with = NULL WHERE id = $1 AND busy_with = $2`, [terminalId, busyWith]);
  }

  async recordSeen(terminalId: string, at: Date, latencyMs: number): Promise<void> {
    await this.tx.manager.update(TerminalEntity, { id: terminalId }, { lastSeenAt: at, lastLatencyMs: Math.round(latencyMs) });
  }

  async recordError(terminalId: string, at: Date, message: string): Promise<void> {
    await this.tx.manager.update(TerminalEntity, { id: terminalId }, { lastError: message.slice(0, 500), lastErrorAt: at });
  }

  // ---- imprint attempts --------------------------------------------------------------------

  async createAttempt(attempt: ImprintAttemptEntity): Promise<void> {
    await this.tx.manager.insert(ImprintAttemptEntity, attempt);
    // Wakes the bridges at once; they also poll, so a lost notification only delays.
    await this.tx.manager.query(`SELECT pg_notify($1, $2)`, [IMPRINT_CHANNEL, attempt.terminalId]);
  }

  findAttempt(id: string): Promise<ImprintAttemptEntity | null> {
    return this.tx.manager.findOneBy(ImprintAttemptEntity, { id });
  }

  attemptsOf(dossierIds: string[]): Promise<ImprintAttemptEntity[]> {
    if (dossierIds.length === 0) return Promise.resolve([]);
    // Ids are UUIDv7: in the order asked, for attempts asked within the same millisecond too.
    return this.tx.manager.find(ImprintAttemptEntity, { where: { dossierId: In(dossierIds) }, order: { requestedAt: 'ASC', id: 'ASC' } });
  }

  liveAttemptOf(dossierId: string): Promise<ImprintAttemptEntity | null> {
    return this.tx.manager.findOne(ImprintAttemptEntity, { where: { dossierId, status: In(['pending', 'running']) } });
  }

  /**
   * Claims pending attempts, at most one per terminal and only on free terminals this bridge can
   * reach; each claimed terminal is leased for the time of the transaction.
   */
  async claimPending(host: string, runner: string, now: Date, leaseMs: number, limit: number): Promise<ClaimedAttempt[]> {
    return this.tx.run(async (manager) => {
      const terminals: Record<string, unknown>[] = await manager.query(
        `SELECT t.* FROM terminal t
          WHERE (t.bridge_host IS NULL OR t.bridge_host = $1)
            AND t.retired_at IS NULL
            AND (t.busy_until IS NULL OR t.busy_until < $2)
            AND EXISTS (SELECT 1 FROM imprint_attempt a WHERE a.terminal_id = t.id AND a.status = 'pending')
            -- An attempt still running there (its bridge died: claimStale's) is settled first.
            AND NOT EXISTS (SELECT 1 FROM imprint_attempt r WHERE r.terminal_id = t.id AND r.status = 'running')
          ORDER BY t.id LIMIT $3 FOR UPDATE OF t SKIP LOCKED`,
        [host, now, limit],
      );
      const claimed: ClaimedAttempt[] = [];
      const leaseUntil = new Date(now.getTime() + leaseMs);
      for (const terminal of camelRows<TerminalEntity>(terminals)) {
        const rows = returnedRows(
          await manager.query(
            `UPDATE imprint_attempt SET status = 'running', started_at = $2, lease_until = $3, runner = $4
            WHERE id = (SELECT id FROM imprint_attempt WHERE terminal_id = $1 AND status = 'pending'
                         ORDER BY requested_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING *`,
            [terminal.id, now, leaseUntil, runner],
          ),
        );
        const [attempt] = camelRows<ImprintAttemptEntity>(rows);
        if (!attempt) continue;
        await manager.query(`UPDATE terminal SET busy_until = $2, busy_with = $3 WHERE id = $1`, [terminal.id, leaseUntil, attempt.id]);
        claimed.push({ attempt, terminal: { ...terminal, busyUntil: leaseUntil, busyWith: attempt.id } });
      }
      return claimed;
    });
  }

  /**
   * Attempts whose bridge stopped renewing its lease mid-transaction (it died): taken over to learn
   * how they ended, with their terminal marked busy like `claimPending` does, so that nothing else
   * (a queued attempt, a check) talks to it meanwhile. A terminal held by someone else (a check) waits.
   */
  async claimStale(host: string, runner: string, now: Date, leaseMs: number, limit: number): Promise<ClaimedAttempt[]> {
    return this.tx.run(async (manager) => {
      const leaseUntil = new Date(now.getTime() + leaseMs);
      const rows = returnedRows(
        await manager.query(
          `UPDATE imprint_attempt a SET lease_until = $3, runner = $4
          WHERE a.id IN (SELECT a2.id FROM imprint_attempt a2 JOIN terminal t ON t.id = a2.terminal_id
                          WHERE a2.status = 'running' AND a2.lease_until < $2
                            AND (t.bridge_host IS NULL OR t.bridge_host = $1)
                            AND (t.busy_until IS NULL OR t.busy_until < $2 OR t.busy_with = a2.id::text)
                          ORDER BY a2.lease_until LIMIT $5 FOR UPDATE OF a2, t SKIP LOCKED)
          RETURNING a.*`,
          [host, now, leaseUntil, runner, limit],
        ),
      );
      const attempts = camelRows<ImprintAttemptEntity>(rows);
      for (const attempt of attempts) {
        await manager.query(`UPDATE terminal SET busy_until = $2, busy_with = $3 WHERE id = $1`, [attempt.terminalId, leaseUntil, attempt.id]);
      }
      const terminals = await this.findByIds([...new Set(attempts.map((a) => a.terminalId))]);
      const byId = new Map(terminals.map((t) => [t.id, t]));
      return attempts.map((attempt) => ({ attempt, terminal: byId.get(attempt.terminalId)! }));
    });
  }

  /**
   * The heartbeat of a bridge: its running attempts and their terminals stay leased until
   * `now + leaseMs`. Returns the attempts still held by this runner (the others were taken over).
   */
  async renewLeases(runner: string, attemptIds: string[], now: Date, leaseMs: number): Promise<string[]> {
    if (attemptIds.length === 0) return [];
    return this.tx.run(async (manager) => {
      const leaseUntil = new Date(now.getTime() + leaseMs);
      const rows: { id: string }[] = returnedRows(
        await manager.query(
          `UPDATE imprint_attempt SET lease_until = $3 WHERE id = ANY($1::uuid[]) AND status = 'running' AND runner = $2 RETURNING id`,
          [attemptIds, runner, leaseUntil],
        ),
      );
      const held = rows.map((r) => r.id);
      if (held.length > 0) {
        await manager.query(`UPDATE terminal SET busy_until = $2 WHERE busy_with = ANY($1::text[])`, [held, leaseUntil]);
      }
      return held;
    });
  }

  /** Ends an attempt still held by this runner; false when another runner took it over. */
  async finishAttempt(id: string, runner: string, patch: Partial<ImprintAttemptEntity>): Promise<boolean> {
    const result = await this.tx.manager
      .createQueryBuilder()
      .update(ImprintAttemptEntity)
      .set({ ...patch, leaseUntil: null })
      .where(`id = :id AND status = 'running' AND runner = :runner`, { id, runner })
      .execute();
    return result.affected === 1;
  }
}
