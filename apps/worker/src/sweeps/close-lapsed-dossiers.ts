import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import type { DiapasonConfig } from '@diapason/config';
import { InjectConfig } from '@diapason/config';
import { DossierSweeps } from '@diapason/lifecycle';
import { Sweep, drain } from '../sweep';

/** No acknowledgment within Y after the notice: `not_acknowledged`, the GAP falls back to ordinary collection. */
@Injectable()
export class AbandonUnacknowledged implements Sweep {
  readonly name = 'abandon-unacknowledged';
  constructor(
    private readonly sweeps: DossierSweeps,
    @InjectConfig() private readonly config: DiapasonConfig,
  ) {}
  run(now: Date): Promise<number> {
    const size = this.config.scheduler.batchSize;
    return drain(() => this.sweeps.abandonUnacknowledged(now, size), size);
  }
}

/** Imprints past their validity that were not turned into a debit: `deadline_exceeded`. */
@Injectable()
export class CloseExpiredImprints implements Sweep {
  readonly name = 'close-expired-imprints';
  constructor(
    private readonly sweeps: DossierSweeps,
    @InjectConfig() private readonly config: DiapasonConfig,
  ) {}
  run(now: Date): Promise<number> {
    const size = this.config.scheduler.batchSize;
    return drain(() => this.sweeps.closeExpiredImprints(now, size), size);
  }
}

/** Alerts the GAP once, margin + X before the imprint ends, when nothing has happened yet. */
@Injectable()
export class RaiseDeadlineAlerts implements Sweep {
  readonly name = 'raise-deadline-alerts';
  constructor(
    private readonly sweeps: DossierSweeps,
    @InjectConfig() private readonly config: DiapasonConfig,
  ) {}
  run(now: Date): Promise<number> {
    const { completionDelayMs, deadlineAlertMarginMs } = this.config.delays;
    const horizon = new Date(now.getTime() + completionDelayMs + deadlineAlertMarginMs);
    const size = this.config.scheduler.batchSize;
    return drain(() => this.sweeps.raiseDeadlineAlerts(now, horizon, size, uuidv7), size);
  }
}
