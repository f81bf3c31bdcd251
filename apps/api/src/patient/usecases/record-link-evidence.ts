import { Injectable } from '@nestjs/common';
import type { Clock } from '@diapason/domain';
import { InjectClock } from '@diapason/config';
import { EvidenceKind } from '@diapason/lifecycle';
import { NoticeTracker } from '@diapason/notifier';
import type { DossierEntity } from '@diapason/persistence';
import type { ResolvedLink } from './resolve-patient-link';

/** How the evidence reached us: the request's method and user agent, which the evidence rule reads. */
export interface EvidenceRequest {
  method: string;
  userAgent: string | undefined;
}

/**
 * The patient followed the link, opened the e-mail (pixel) or pressed « J'ai pris connaissance ».
 * Every such request is recorded; whether it acknowledges is the evidence rule's (NoticeTracker.judge):
 * HEAD requests, link scanners and image proxies never do.
 */
@Injectable()
export class RecordLinkEvidence {
  constructor(
    private readonly tracker: NoticeTracker,
    @InjectClock() private readonly clock: Clock,
  ) {}

  async execute(link: ResolvedLink, kind: EvidenceKind, request: EvidenceRequest): Promise<DossierEntity> {
    const result = await this.tracker.acknowledge(
      link.notice.id,
      { kind, at: this.clock.now(), userAgent: request.userAgent, method: request.method },
      { type: 'patient' },
    );
    return result?.dossier ?? link.dossier;
  }
}
