import { Injectable } from '@nestjs/common';
import type { Clock } from '@diapason/domain';
import { InjectClock } from '@diapason/config';
import { EvidenceKind } from '@diapason/lifecycle';
import { NoticeTracker } from '@diapason/notifier';
import type { DossierEntity } from '@diapason/persistence';
import type { ResolvedLink } from './resolve-patient-link';

/** The patient followed the link, opened the e-mail (pixel) or pressed « J'ai pris connaissance ». */
@Injectable()
export class RecordLinkEvidence {
  constructor(
    private readonly tracker: NoticeTracker,
    @InjectClock() private readonly clock: Clock,
  ) {}

  async execute(link: ResolvedLink, kind: EvidenceKind, userAgent: string | undefined): Promise<DossierEntity> {
    const result = await this.tracker.acknowledge(link.notice.id, { kind, at: this.clock.now(), userAgent }, { type: 'patient' });
    return result?.dossier ?? link.dossier;
  }
}
