import { Injectable, Optional } from '@nestjs/common';
import type { Counter } from 'prom-client';
import type { DiapasonConfig } from '@diapason/config';
import { InjectConfig, retentionInterval } from '@diapason/config';
import { DossierSweeps } from '@diapason/lifecycle';
import { DiapasonMetrics } from '@diapason/metrics';
import { Sweep, drain } from '../sweep';

/**
 * RGPD: once a day (DIAPASON_RETENTION_CRON), the personal data of dossiers final for longer than
 * DIAPASON_RETENTION_PATIENT_DATA is erased; amounts, references, statuses and the journal stay.
 *
 * Not `exclusive`: each batch picks its dossiers with FOR UPDATE SKIP LOCKED and commits on its
 * own, so workers that run it at the same time share the work, and a large first backlog (the
 * first night after an upgrade) never becomes one long transaction under an advisory lock.
 */
@Injectable()
export class ErasePersonalData implements Sweep {
  readonly name = 'erase-personal-data';
  readonly cron: string;
  private readonly erased: Counter<string> | undefined;

  constructor(
    private readonly sweeps: DossierSweeps,
    @InjectConfig() private readonly config: DiapasonConfig,
    @Optional() metrics?: DiapasonMetrics,
  ) {
    this.cron = config.retention.cron;
    this.erased = metrics?.counter('diapason_personal_data_erased_dossiers_total', 'Dossiers dont les données personnelles ont été effacées (RGPD).');
  }

  async run(now: Date): Promise<number> {
    const size = this.config.scheduler.batchSize;
    const retention = retentionInterval(this.config.retention.patientData);
    return drain(async () => {
      const n = await this.sweeps.erasePersonalData(now, retention, size);
      this.erased?.inc(n);
      return n;
    }, size);
  }
}
