import { Injectable } from '@nestjs/common';
import { TransactionContext } from '../transaction-context';

export interface AlertRow {
  id: string;
  dossierId: string;
  type: string;
  message: string;
  deadlineAt: Date | null;
  createdAt: Date;
}

@Injectable()
export class AlertRepository {
  constructor(private readonly tx: TransactionContext) {}

  async list(establishmentId: string, options: { beforeId?: string; limit: number; dossierId?: string }): Promise<AlertRow[]> {
    const rows: Record<string, unknown>[] = await this.tx.manager.query(
      `SELECT id, dossier_id, type, message, deadline_at, created_at FROM alert
        WHERE establishment_id = $1 AND ($2::uuid IS NULL OR id < $2) AND ($4::uuid IS NULL OR dossier_id = $4)
        ORDER BY id DESC LIMIT $3`,
      [establishmentId, options.beforeId ?? null, options.limit, options.dossierId ?? null],
    );
    return rows.map((r) => ({
      id: r.id as string,
      dossierId: r.dossier_id as string,
      type: r.type as string,
      message: r.message as string,
      deadlineAt: (r.deadline_at as Date) ?? null,
      createdAt: r.created_at as Date,
    }));
  }
}
