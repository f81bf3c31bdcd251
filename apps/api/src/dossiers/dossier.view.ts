import { ApiProperty } from '@nestjs/swagger';
import type { DossierStatus, ReportingCategory } from '@diapason/domain';
import { DOSSIER_STATUSES, JOURNAL_EVENT_TYPES, REPORTING_CATEGORIES, categoryLabel, reportingCategory, statusLabel } from '@diapason/domain';
import type { DossierEntity, DossierEventEntity, ImprintAttemptEntity, NoticeRow } from '@diapason/persistence';
import { maskRecipient } from '@diapason/notifier';
import { TERMINAL_MODELS } from '@diapason/terminal-bridge';

/** Dates and times are ISO 8601 strings in UTC (`2026-11-23T09:00:00.000Z`). */
const DATE_TIME = { type: 'string', format: 'date-time' } as const;
const NULLABLE_DATE_TIME = { ...DATE_TIME, nullable: true } as const;
const NULLABLE_STRING = { type: 'string', nullable: true } as const;
const CENTS = { type: 'integer', minimum: 1, description: 'Centimes d’euro.' } as const;

class PatientView {
  @ApiProperty({ example: 'DUPONT' }) lastName!: string;
  @ApiProperty({ example: 'Marie' }) firstName!: string;
  @ApiProperty({ ...NULLABLE_STRING, example: '+33639980101', description: 'Format E.164.' }) phone!: string | null;
  @ApiProperty({ ...NULLABLE_STRING, example: 'marie.dupont@example.test' }) email!: string | null;
}

class ItpView {
  @ApiProperty({ example: '107560680804', description: 'Numéro ITP du serveur d’acceptation (PLBS).' }) acceptanceServer!: string;
  @ApiProperty({ example: '107560100803', description: 'Numéro ITP du point d’acceptation (PLBS).' }) acceptancePoint!: string;
}

class ImprintView {
  @ApiProperty({ ...CENTS, example: 5000, description: 'Plafond de l’empreinte, en centimes d’euro.' }) ceilingCents!: number;
  @ApiProperty(DATE_TIME) imprintedAt!: Date;
  @ApiProperty({ ...DATE_TIME, description: 'Fin de validité de l’empreinte.' }) validUntil!: Date;
  @ApiProperty({ ...NULLABLE_STRING, example: '499999######1235', description: 'PAN masqué (6 premiers, 4 derniers chiffres au plus).' })
  maskedPan!: string | null;
  @ApiProperty({ ...NULLABLE_STRING, pattern: '^\\d{4}-\\d{2}$', example: '2028-12', description: 'Mois d’expiration de la carte.' })
  cardExpiry!: string | null;
  @ApiProperty(NULLABLE_STRING) authorisationNumber!: string | null;
  @ApiProperty(NULLABLE_STRING) acquirerReference!: string | null;
  @ApiProperty({ ...NULLABLE_STRING, description: 'Identifiant du terminal qui a pris l’empreinte.' }) terminalId!: string | null;
  @ApiProperty({ type: 'string', nullable: true, enum: TERMINAL_MODELS }) terminalModel!: string | null;
  @ApiProperty({ type: ItpView, nullable: true }) itp!: ItpView | null;
  @ApiProperty({ description: 'Réponse récupérée auprès du terminal après une coupure de liaison.' }) recovered!: boolean;
}

export class ImprintAttemptView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['imprint_attempt'] }) object!: 'imprint_attempt';
  @ApiProperty({ format: 'uuid' }) dossierId!: string;
  @ApiProperty({ enum: ['pending', 'running', 'approved', 'refused', 'failed'] }) status!: string;
  @ApiProperty({ example: 'TPE-ACCUEIL-1', description: 'Identifiant du terminal.' }) terminalId!: string;
  @ApiProperty({ ...CENTS, example: 5000 }) ceilingCents!: number;
  @ApiProperty(DATE_TIME) requestedAt!: Date;
  @ApiProperty(NULLABLE_DATE_TIME) startedAt!: Date | null;
  @ApiProperty(NULLABLE_DATE_TIME) endedAt!: Date | null;
  @ApiProperty({ ...NULLABLE_STRING, example: 'card_refused' }) failureCode!: string | null;
  @ApiProperty({ ...NULLABLE_STRING, description: 'Motif en français, à lire par l’agent de la régie.' }) failureMessage!: string | null;
  @ApiProperty() recovered!: boolean;
}

class PaymentRequestView {
  @ApiProperty({ ...CENTS, example: 1750 }) amountCents!: number;
  @ApiProperty(NULLABLE_STRING) invoiceReference!: string | null;
  @ApiProperty(DATE_TIME) requestedAt!: Date;
  @ApiProperty({
    description: 'Vrai si la demande arrive trop tard pour respecter le délai avant débit dans la validité de l’empreinte.',
  })
  late!: boolean;
}

class NoticeView {
  @ApiProperty({ enum: ['sms', 'email'] }) channel!: string;
  @ApiProperty({ enum: ['pending', 'sending', 'sent', 'delivered', 'opened', 'failed'] }) status!: string;
  @ApiProperty({ description: 'Destinataire masqué.' }) recipient!: string;
  @ApiProperty(NULLABLE_DATE_TIME) sentAt!: Date | null;
  @ApiProperty({ ...NULLABLE_DATE_TIME, description: 'Remise (SMS) ou ouverture (e-mail).' }) deliveredAt!: Date | null;
  @ApiProperty(NULLABLE_STRING) failureReason!: string | null;
}

class CompletionView {
  @ApiProperty({ description: 'Clé d’idempotence du débit auprès du serveur d’acceptation (une par dossier).' }) idempotencyKey!: string;
  @ApiProperty(NULLABLE_DATE_TIME) startedAt!: Date | null;
  @ApiProperty({ ...NULLABLE_STRING, description: 'Référence de la transaction chez l’acquéreur (remise, relevé DFT).' })
  transactionReference!: string | null;
  @ApiProperty({ type: 'string', nullable: true, format: 'date', description: 'Date de crédit des fonds.' }) settlementDate!: string | null;
}

class BankRejectionView {
  @ApiProperty({ ...NULLABLE_STRING, example: '51' }) code!: string | null;
  @ApiProperty({ example: 'Provision insuffisante sur le compte du patient. …' }) message!: string;
}

class CancellationView {
  @ApiProperty(DATE_TIME) at!: Date;
  @ApiProperty({ example: 'patient_choice' }) reason!: string;
}

export class DossierView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['dossier'] }) object!: 'dossier';
  @ApiProperty({ enum: DOSSIER_STATUSES }) status!: DossierStatus;
  @ApiProperty({ example: 'En attente d’empreinte' }) statusLabel!: string;
  @ApiProperty({ enum: REPORTING_CATEGORIES }) category!: ReportingCategory;
  @ApiProperty({ example: 'Dossier en cours' }) categoryLabel!: string;
  @ApiProperty({ example: 'GAP-2026-000123' }) gapDossierNumber!: string;
  @ApiProperty({ example: 'REGIE-01' }) regieCode!: string;
  @ApiProperty({ type: PatientView }) patient!: PatientView;
  @ApiProperty({ type: 'string', nullable: true, format: 'date' }) admissionDate!: string | null;
  @ApiProperty({ type: ImprintView, nullable: true, description: 'Empreinte acceptée.' }) imprint!: ImprintView | null;
  @ApiProperty({ type: ImprintAttemptView, nullable: true, description: 'Dernière demande d’empreinte (en cours ou échouée).' })
  lastImprintAttempt!: ImprintAttemptView | null;
  @ApiProperty({ type: PaymentRequestView, nullable: true }) paymentRequest!: PaymentRequestView | null;
  @ApiProperty({ ...NULLABLE_DATE_TIME, description: 'Envoi de la notification au patient.' }) noticeSentAt!: Date | null;
  @ApiProperty({ type: [NoticeView], description: 'Notifications au patient, par canal.' }) notices!: NoticeView[];
  @ApiProperty({ ...NULLABLE_DATE_TIME, description: 'Accusé de réception de la notification.' }) acknowledgedAt!: Date | null;
  @ApiProperty({ ...NULLABLE_DATE_TIME, description: 'Date prévue du débit (accusé + délai X).' }) debitScheduledAt!: Date | null;
  @ApiProperty(NULLABLE_DATE_TIME) completedAt!: Date | null;
  @ApiProperty({ type: CompletionView, nullable: true, description: 'Débit envoyé au serveur d’acceptation.' }) completion!: CompletionView | null;
  @ApiProperty({ type: BankRejectionView, nullable: true }) bankRejection!: BankRejectionView | null;
  @ApiProperty({ type: CancellationView, nullable: true }) cancellation!: CancellationView | null;
  @ApiProperty({ ...NULLABLE_DATE_TIME, description: 'Date à laquelle le dossier a atteint un statut final.' }) closedAt!: Date | null;
  @ApiProperty({
    ...NULLABLE_DATE_TIME,
    description:
      'Effacement des données personnelles (RGPD), DIAPASON_RETENTION_PATIENT_DATA après la clôture : nom et prénom vides, téléphone et courriel absents, destinataires des avis effacés. Montants, références et statuts restent.',
  })
  personalDataErasedAt!: Date | null;
  @ApiProperty(DATE_TIME) createdAt!: Date;
  @ApiProperty(DATE_TIME) updatedAt!: Date;
}

export class WarningView {
  @ApiProperty({ example: 'late_payment_request' }) code!: string;
  @ApiProperty() message!: string;
}

export class DossierWithWarningsView extends DossierView {
  @ApiProperty({ type: [WarningView], description: 'Avertissements (demande tardive…) ; liste vide sinon.' }) warnings!: WarningView[];
}

export class DossierPageView {
  @ApiProperty({ type: [DossierView] }) data!: DossierView[];
  @ApiProperty({ ...NULLABLE_STRING, description: 'À passer en `cursor` pour la page suivante ; null en fin de liste.' })
  nextCursor!: string | null;
}

class ActorView {
  @ApiProperty({ enum: ['gap', 'cashier', 'patient', 'system', 'provider', 'operator'] }) type!: string;
  @ApiProperty({ ...NULLABLE_STRING, description: 'Clé d’API, agent ou fournisseur, selon le type.' }) id!: string | null;
}

export class DossierEventView {
  @ApiProperty({ example: '42' }) id!: string;
  @ApiProperty({ enum: JOURNAL_EVENT_TYPES, example: 'dossier.created' }) type!: string;
  @ApiProperty(DATE_TIME) at!: Date;
  @ApiProperty({ type: 'string', nullable: true, enum: DOSSIER_STATUSES }) fromStatus!: string | null;
  @ApiProperty({ type: 'string', nullable: true, enum: DOSSIER_STATUSES }) toStatus!: string | null;
  @ApiProperty({ type: ActorView }) actor!: ActorView;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Faits propres à l’événement.' }) details!: Record<string, unknown>;
}

export class ImprintAttemptListView {
  @ApiProperty({ type: [ImprintAttemptView] }) data!: ImprintAttemptView[];
}

export class DossierEventListView {
  @ApiProperty({ type: [DossierEventView] }) data!: DossierEventView[];
}

export interface ImprintContext {
  /** Attempts of the dossier, oldest first. */
  attempts: ImprintAttemptEntity[];
  terminalCodes: ReadonlyMap<string, string>;
  notices?: NoticeRow[];
}

export function toImprintAttemptView(a: ImprintAttemptEntity, terminalCodes: ReadonlyMap<string, string>): ImprintAttemptView {
  return {
    id: a.id,
    object: 'imprint_attempt',
    dossierId: a.dossierId,
    status: a.status,
    terminalId: terminalCodes.get(a.terminalId) ?? a.terminalId,
    ceilingCents: a.ceilingCents,
    requestedAt: a.requestedAt,
    startedAt: a.startedAt,
    endedAt: a.endedAt,
    failureCode: a.failureCode,
    failureMessage: a.failureMessage,
    recovered: a.recovered,
  };
}

const expiryMonth = (yymm: string | null) => (yymm && /^\d{4}$/.test(yymm) ? `20${yymm.slice(0, 2)}-${yymm.slice(2)}` : null);

function imprintView(d: DossierEntity, context: ImprintContext): ImprintView | null {
  if (d.ceilingCents === null || !d.imprintedAt || !d.imprintValidUntil) return null;
  const a = context.attempts.find((x) => x.id === d.imprintAttemptId);
  return {
    ceilingCents: d.ceilingCents,
    imprintedAt: d.imprintedAt,
    validUntil: d.imprintValidUntil,
    maskedPan: a?.maskedPan ?? null,
    cardExpiry: expiryMonth(a?.cardExpiry ?? null),
    authorisationNumber: a?.authorisationNumber ?? null,
    acquirerReference: a?.acquirerReference ?? null,
    terminalId: a ? (context.terminalCodes.get(a.terminalId) ?? null) : null,
    terminalModel: a?.terminalModel ?? null,
    itp: a?.itpAcceptanceServer && a.itpAcceptancePoint ? { acceptanceServer: a.itpAcceptanceServer, acceptancePoint: a.itpAcceptancePoint } : null,
    recovered: a?.recovered ?? false,
  };
}

const NO_IMPRINT_CONTEXT: ImprintContext = { attempts: [], terminalCodes: new Map() };

export function toDossierView(d: DossierEntity, context: ImprintContext = NO_IMPRINT_CONTEXT): DossierView {
  const last = context.attempts[context.attempts.length - 1];
  const category = reportingCategory(d.status);
  return {
    id: d.id,
    object: 'dossier',
    status: d.status,
    statusLabel: statusLabel(d.status),
    category,
    categoryLabel: categoryLabel(category),
    gapDossierNumber: d.gapDossierNumber,
    regieCode: d.regieCode,
    patient: {
      lastName: d.patientLastName,
      firstName: d.patientFirstName,
      phone: d.patientPhone,
      email: d.patientEmail,
    },
    admissionDate: d.admissionDate,
    imprint: imprintView(d, context),
    lastImprintAttempt: last ? toImprintAttemptView(last, context.terminalCodes) : null,
    paymentRequest:
      d.amountCents !== null && d.paymentRequestedAt
        ? {
            amountCents: d.amountCents,
            invoiceReference: d.invoiceReference,
            requestedAt: d.paymentRequestedAt,
            late: d.paymentRequestLate,
          }
        : null,
    noticeSentAt: d.noticeSentAt,
    notices: (context.notices ?? []).map((n) => ({
      channel: n.channel,
      status: n.status,
      recipient: maskRecipient(n.recipient),
      sentAt: n.sentAt,
      deliveredAt: n.deliveredAt,
      failureReason: n.failureReason,
    })),
    acknowledgedAt: d.acknowledgedAt,
    debitScheduledAt: d.completionDueAt,
    completedAt: d.completedAt,
    completion: d.completionKey
      ? {
          idempotencyKey: d.completionKey,
          startedAt: d.completionStartedAt,
          transactionReference: d.acquirerTransactionReference,
          settlementDate: d.settlementDate,
        }
      : null,
    bankRejection: d.status === 'bank_rejected' ? { code: d.bankReasonCode, message: d.bankReasonMessage ?? '' } : null,
    cancellation: d.cancelledAt && d.cancelReason ? { at: d.cancelledAt, reason: d.cancelReason } : null,
    closedAt: d.closedAt,
    personalDataErasedAt: d.personalDataErasedAt ?? null,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
  };
}

export function toDossierEventView(e: DossierEventEntity): DossierEventView {
  return {
    id: e.id,
    type: e.type,
    at: e.at,
    fromStatus: e.fromStatus,
    toStatus: e.toStatus,
    actor: { type: e.actorType, id: e.actorId },
    details: e.details,
  };
}
