import type { Actor, DossierEntity, NewDossier, NoticeChannel } from '@diapason/persistence';

/**
 * What every lifecycle method takes: which dossier, who acts, and the facts of the event. Never an
 * HTTP principal or a DTO: the api, the worker, the CLI and the tests speak to it alike.
 */
export interface LifecycleCommand<F = Record<string, never>> {
  establishmentId: string;
  dossierId: string;
  actor: Actor;
  facts: F;
}

export interface OpenDossierCommand {
  actor: Actor;
  dossier: NewDossier;
}

/** The imprint attempt an outcome belongs to, as recorded in the journal. */
export interface ImprintFacts {
  at: Date;
  attemptId: string | null;
  terminalCode: string | null;
  terminalModel: string | null;
  ceilingCents: number;
  recovered?: boolean;
}

export interface ImprintApprovedFacts extends ImprintFacts {
  maskedPan: string | null;
  authorisationNumber: string | null;
}

export interface ImprintFailedFacts extends ImprintFacts {
  reason: string;
  message: string | null;
}

export interface PaymentRequestFacts {
  amountCents: number;
  invoiceReference: string | null;
}

export interface NoticeSentFacts {
  noticeId: string;
  channel: NoticeChannel;
  /** Masked: the journal never holds a full phone number or address. */
  recipient: string;
  providerId: string;
  segments: number | null;
}

export interface NoticeFailedFacts {
  noticeId: string;
  channel: NoticeChannel;
  recipient: string;
  reason: string;
}

export type EvidenceKind = 'delivery_receipt' | 'pixel' | 'link' | 'button';

/**
 * Why evidence did not acknowledge the notice, as the journal's `reason` says it:
 * `head`, `link_scanner`, `image_proxy` (a machine fetched the link or the pixel), `rule`
 * (DIAPASON_ACK_EVIDENCE=explicit leaves this kind out), `status` (the dossier no longer waits for
 * an acknowledgment, e.g. already acknowledged).
 */
export type EvidenceNotCounted = 'head' | 'link_scanner' | 'image_proxy' | 'rule' | 'status';

export interface EvidenceFacts {
  noticeId: string | null;
  channel: NoticeChannel | null;
  kind: EvidenceKind;
  at: Date;
  userAgent: string | null;
  /** Whether the evidence rule (DIAPASON_ACK_EVIDENCE) lets this kind acknowledge the notice. */
  counts: boolean;
  /** Why it does not count, when the rule says so: a code… */
  notCountedReason?: Exclude<EvidenceNotCounted, 'status'>;
  /** …and the same in French, for the people who read the journal. */
  notCountedWhy?: string;
}

export interface CancelFacts {
  reason: string;
}

/** The patient's channels, best first, as the notifier decides them (DIAPASON_NOTICE_STRATEGY). */
export interface NoticePlanner {
  /** Every channel the patient can be reached on. */
  channelsOf(dossier: Pick<DossierEntity, 'patientPhone' | 'patientEmail'>): NoticeChannel[];
  /** The channels notified at once when the payment is requested. */
  firstWave(channels: NoticeChannel[]): NoticeChannel[];
}

export const NOTICE_PLANNER = Symbol('NOTICE_PLANNER');

/** Outbox kind of a notice to send; the worker's outbox dispatcher hands it to the notifier. */
export const NOTICE_SEND = 'notice.send';
