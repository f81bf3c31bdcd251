import { Injectable } from '@nestjs/common';
import type { Clock } from '@diapason/domain';
import { DomainError } from '@diapason/domain';
import { InjectClock } from '@diapason/config';
import { PatientLinkTokens } from '@diapason/notifier';
import { DossierEntity, DossierRepository, NoticeRepository, NoticeRow } from '@diapason/persistence';

/** A link that cannot be followed; `httpStatus` 410 when it expired, 404 otherwise. */
export class PatientLinkError extends DomainError {}

export interface ResolvedLink {
  notice: NoticeRow;
  dossier: DossierEntity;
}

/** The signed token of a patient link is the credential: it names a notice, hence a dossier. */
@Injectable()
export class ResolvePatientLink {
  constructor(
    private readonly tokens: PatientLinkTokens,
    private readonly notices: NoticeRepository,
    private readonly dossiers: DossierRepository,
    @InjectClock() private readonly clock: Clock,
  ) {}

  /** The notice and dossier, or null when the token is not valid (for the pixel, which never fails). */
  async find(token: string): Promise<ResolvedLink | null> {
    try {
      return await this.execute(token);
    } catch (error) {
      if (error instanceof PatientLinkError) return null;
      throw error;
    }
  }

  async execute(token: string): Promise<ResolvedLink> {
    const verified = this.tokens.verify(token, this.clock.now());
    if ('error' in verified) {
      throw verified.error === 'expired'
        ? new PatientLinkError('not_found', 'link_expired', 'Ce lien a expiré.', { httpStatus: 410 })
        : new PatientLinkError('not_found', 'link_invalid', 'Ce lien n’est pas valide.');
    }
    const notice = await this.notices.findById(verified.noticeId);
    const dossier = notice ? await this.dossiers.findByIdAnywhere(notice.dossierId) : null;
    if (!notice || !dossier) throw new PatientLinkError('not_found', 'link_invalid', 'Ce lien n’est pas valide.');
    // RGPD: once the patient's data is erased, the link has nothing left to show.
    if (dossier.personalDataErasedAt) throw new PatientLinkError('not_found', 'link_expired', 'Ce lien a expiré.', { httpStatus: 410 });
    return { notice, dossier };
  }
}
