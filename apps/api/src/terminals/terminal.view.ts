import { ApiProperty } from '@nestjs/swagger';
import type { TerminalEntity } from '@diapason/persistence';
import { PROFILES, TERMINAL_MODELS } from '@diapason/terminal-bridge';

export class TerminalHealthView {
  @ApiProperty({ enum: ['ok', 'error', 'unknown'] }) status!: 'ok' | 'error' | 'unknown';
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true }) lastSeenAt!: Date | null;
  @ApiProperty({ type: 'integer', nullable: true, description: 'Temps de réponse du dernier échange, en millisecondes.' }) lastLatencyMs!:
    number | null;
  @ApiProperty({ type: 'string', nullable: true }) lastError!: string | null;
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true }) lastErrorAt!: Date | null;
  @ApiProperty({ description: 'Une transaction est en cours.' }) busy!: boolean;
}

export class TerminalItpView {
  @ApiProperty({ example: '107560680804', description: 'Numéro ITP du serveur d’acceptation (PLBS).' }) acceptanceServer!: string;
  @ApiProperty({ example: '107560100803', description: 'Numéro ITP du point d’acceptation (PLBS).' }) acceptancePoint!: string;
}

export class TerminalView {
  @ApiProperty({ example: 'TPE-ACCUEIL-1', description: 'Identifiant choisi par l’établissement.' }) id!: string;
  @ApiProperty({ enum: ['terminal'] }) object!: 'terminal';
  @ApiProperty() label!: string;
  @ApiProperty({ enum: TERMINAL_MODELS }) model!: string;
  @ApiProperty() regieCode!: string;
  @ApiProperty() transportUrl!: string;
  @ApiProperty({ type: 'string', nullable: true }) bridgeHost!: string | null;
  @ApiProperty({ type: TerminalItpView, description: 'Numéros ITP PLBS du modèle.' }) itp!: TerminalItpView;
  @ApiProperty({ type: TerminalHealthView }) health!: TerminalHealthView;
  @ApiProperty({ enum: ['active', 'retired'], description: 'retired : retiré du service (DELETE), gardé pour l’historique.' }) status!:
    'active' | 'retired';
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true }) retiredAt!: Date | null;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
}

export function toTerminalView(t: TerminalEntity, now: Date): TerminalView {
  const itp = PROFILES[t.model].itp;
  const errorIsLatest = t.lastErrorAt && (!t.lastSeenAt || t.lastErrorAt >= t.lastSeenAt);
  return {
    id: t.code,
    object: 'terminal',
    label: t.label,
    model: t.model,
    regieCode: t.regieCode,
    transportUrl: t.transportUrl,
    bridgeHost: t.bridgeHost,
    itp: { acceptanceServer: itp.acceptanceServer.plbs, acceptancePoint: itp.acceptancePoint.plbs },
    health: {
      status: errorIsLatest ? 'error' : t.lastSeenAt ? 'ok' : 'unknown',
      lastSeenAt: t.lastSeenAt,
      lastLatencyMs: t.lastLatencyMs,
      lastError: t.lastError,
      lastErrorAt: t.lastErrorAt,
      busy: t.busyUntil !== null && t.busyUntil > now,
    },
    status: t.retiredAt ? 'retired' : 'active',
    retiredAt: t.retiredAt,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
  };
}

export class TerminalListView {
  @ApiProperty({ type: [TerminalView] }) data!: TerminalView[];
}

class TerminalCheckStepView {
  @ApiProperty({ example: 'Liaison' }) step!: string;
  @ApiProperty() ok!: boolean;
  @ApiProperty({ example: 'Le terminal répond en mode caisse.' }) detail!: string;
}

class TerminalCheckProblemView {
  @ApiProperty({ description: 'Cause probable.' }) cause!: string;
  @ApiProperty({ description: 'Ce que l’établissement vérifie lui-même.' }) check!: string;
  @ApiProperty({ description: 'Qui appeler si la vérification ne suffit pas.' }) contact!: string;
}

/** The bridge's `CheckReport` (libs/terminal-bridge/src/terminal-check.ts), as `POST /v1/terminals/{id}/check` answers it. */
export class TerminalCheckReportView {
  @ApiProperty({ example: 'TPE-ACCUEIL-1' }) terminalId!: string;
  @ApiProperty() label!: string;
  @ApiProperty({ enum: TERMINAL_MODELS }) model!: string;
  @ApiProperty({ description: 'Profil de protocole du modèle.' }) profile!: string;
  @ApiProperty({ description: 'Adresse de la liaison.' }) transport!: string;
  @ApiProperty({ description: 'Vrai si le terminal a répondu conformément à son profil.' }) ok!: boolean;
  @ApiProperty({ type: 'integer', nullable: true, description: 'Temps de réponse en millisecondes ; null sans réponse.' }) latencyMs!: number | null;
  @ApiProperty({ type: [TerminalCheckStepView], description: 'Étapes de la vérification, dans l’ordre.' }) steps!: TerminalCheckStepView[];
  @ApiProperty({ type: [TerminalCheckProblemView], description: 'Causes probables d’un échec, à examiner dans l’ordre.' })
  problems!: TerminalCheckProblemView[];
  @ApiProperty({ type: 'string', format: 'date-time' }) checkedAt!: string;
}
