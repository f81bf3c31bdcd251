import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { DossierStatus, ReportingCategory } from '@diapason/domain';
import {
  DOSSIER_STATUSES,
  REPORTING_CATEGORIES,
  categoryLabel,
  reportingCategory,
  statusLabel,
} from '@diapason/domain';
import type { DossierEntity, DossierEventEntity } from '@diapason/persistence';

class PatientView {
  @ApiProperty() lastName!: string;
  @ApiProperty() firstName!: string;
  @ApiProperty({ nullable: true, example: '+33639980101' }) phone!: string | null;
  @ApiProperty({ nullable: true }) email!: string | null;
}

class ImprintView {
  @ApiProperty({ example: 5000 }) ceilingCents!: number;
  @ApiProperty() imprintedAt!: Date;
  @ApiProperty({ description: 'Fin de validité de l’empreinte.' }) validUntil!: Date;
}

class PaymentRequestView {
  @ApiProperty({ example: 1750 }) amountCents!: number;
  @ApiProperty({ nullable: true }) invoiceReference!: string | null;
  @ApiProperty() requestedAt!: Date;
  @ApiProperty({
    description: 'Vrai si la demande arrive trop tard pour respecter le délai avant débit dans la validité de l’empreinte.',
  })
  late!: boolean;
}

class CancellationView {
  @ApiProperty() at!: Date;
  @ApiProperty() reason!: string;
}

export class DossierView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'dossier' }) object!: 'dossier';
  @ApiProperty({ enum: DOSSIER_STATUSES }) status!: DossierStatus;
  @ApiProperty({ example: 'En attente d’empreinte' }) statusLabel!: string;
  @ApiProperty({ enum: REPORTING_CATEGORIES }) category!: ReportingCategory;
  @ApiProperty({ example: 'Dossier en cours' }) categoryLabel!: string;
  @ApiProperty() gapDossierNumber!: string;
  @ApiProperty() regieCode!: string;
  @ApiProperty({ type: PatientView }) patient!: PatientView;
  @ApiProperty({ nullable: true, format: 'date' }) admissionDate!: string | null;
  @ApiProperty({ type: ImprintView, nullable: true }) imprint!: ImprintView | null;
  @ApiProperty({ type: PaymentRequestView, nullable: true }) paymentRequest!: PaymentRequestView | null;
  @ApiProperty({ nullable: true, description: 'Envoi de la notification au patient.' }) noticeSentAt!: Date | null;
  @ApiProperty({ nullable: true, description: 'Accusé de réception de la notification.' }) acknowledgedAt!: Date | null;
  @ApiProperty({ nullable: true, description: 'Date prévue du débit (accusé + délai X).' }) debitScheduledAt!: Date | null;
  @ApiProperty({ nullable: true }) completedAt!: Date | null;
  @ApiProperty({ type: CancellationView, nullable: true }) cancellation!: CancellationView | null;
  @ApiProperty({ nullable: true, description: 'Date à laquelle le dossier a atteint un statut final.' }) closedAt!: Date | null;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
}

export class WarningView {
  @ApiProperty({ example: 'late_payment_request' }) code!: string;
  @ApiProperty() message!: string;
}

export class DossierWithWarningsView extends DossierView {
  @ApiPropertyOptional({ type: [WarningView] }) warnings?: WarningView[];
}

export class DossierPageView {
  @ApiProperty({ type: [DossierView] }) data!: DossierView[];
  @ApiProperty({ nullable: true, description: 'À passer en `cursor` pour la page suivante ; null en fin de liste.' })
  nextCursor!: string | null;
}

class ActorView {
  @ApiProperty({ enum: ['gap', 'cashier', 'patient', 'system', 'provider', 'operator'] }) type!: string;
  @ApiProperty({ nullable: true }) id!: string | null;
}

export class DossierEventView {
  @ApiProperty() id!: string;
  @ApiProperty({ example: 'dossier.created' }) type!: string;
  @ApiProperty() at!: Date;
  @ApiProperty({ nullable: true, enum: DOSSIER_STATUSES }) fromStatus!: string | null;
  @ApiProperty({ nullable: true, enum: DOSSIER_STATUSES }) toStatus!: string | null;
  @ApiProperty({ type: ActorView }) actor!: ActorView;
  @ApiProperty({ type: 'object', additionalProperties: true }) details!: Record<string, unknown>;
}

export class DossierEventListView {
  @ApiProperty({ type: [DossierEventView] }) data!: DossierEventView[];
}

export function toDossierView(d: DossierEntity): DossierView {
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
    imprint:
      d.ceilingCents !== null && d.imprintedAt && d.imprintValidUntil
        ? { ceilingCents: d.ceilingCents, imprintedAt: d.imprintedAt, validUntil: d.imprintValidUntil }
        : null,
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
    acknowledgedAt: d.acknowledgedAt,
    debitScheduledAt: d.completionDueAt,
    completedAt: d.completedAt,
    cancellation: d.cancelledAt && d.cancelReason ? { at: d.cancelledAt, reason: d.cancelReason } : null,
    closedAt: d.closedAt,
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
