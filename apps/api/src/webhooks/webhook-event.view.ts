import { ApiProperty } from '@nestjs/swagger';
import { DOSSIER_STATUSES, JOURNAL_EVENT_TYPES } from '@diapason/domain';

/** `data` of a webhook event: the dossier and the journal entry (see `webhookPayload()` in libs/notifier). */
export class WebhookEventDataView {
  @ApiProperty({ format: 'uuid' }) dossierId!: string;
  @ApiProperty({ example: 'GAP-2026-000123' }) gapDossierNumber!: string;
  @ApiProperty({
    type: 'string',
    nullable: true,
    enum: DOSSIER_STATUSES,
    description: 'Statut avant l’événement ; null pour un fait sans transition.',
  })
  fromStatus!: string | null;
  @ApiProperty({
    type: 'string',
    nullable: true,
    enum: DOSSIER_STATUSES,
    description: 'Statut après l’événement ; null pour un fait sans transition.',
  })
  toStatus!: string | null;
  @ApiProperty({ enum: DOSSIER_STATUSES, description: 'Statut du dossier au moment de l’envoi (il peut avoir changé depuis l’événement).' })
  status!: string;
  @ApiProperty({ example: 'Dossier soldé' }) statusLabel!: string;
  @ApiProperty({ type: 'string', nullable: true, example: 'Dossier soldé', description: 'Catégorie de rapport du statut.' }) categoryLabel!:
    string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Faits propres à l’événement (comme dans GET /v1/dossiers/{id}/events).' })
  details!: Record<string, unknown>;
}

/**
 * The body DIAPASON POSTs to a webhook endpoint, one per journal entry of the establishment's
 * dossiers, signed in `Diapason-Signature`.
 */
export class WebhookEventView {
  @ApiProperty({
    pattern: '^evt_[0-9]+$',
    example: 'evt_42',
    description: 'Identifiant de l’événement, le même à chaque nouvel essai : dédoublonnez sur lui.',
  })
  id!: string;
  @ApiProperty({ enum: ['event'] }) object!: 'event';
  @ApiProperty({ enum: JOURNAL_EVENT_TYPES, example: 'dossier.completed' }) type!: string;
  @ApiProperty({ type: 'string', format: 'date-time', description: 'Date de l’événement.' }) createdAt!: string;
  @ApiProperty({ example: 'CHU-A', description: 'Code de l’établissement.' }) establishment!: string;
  @ApiProperty({ type: WebhookEventDataView }) data!: WebhookEventDataView;
}
