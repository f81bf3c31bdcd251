import { ApiProperty } from '@nestjs/swagger';
import type { TerminalEntity } from '@diapason/persistence';
import { PROFILES, TERMINAL_MODELS } from '@diapason/terminal-bridge';

export class TerminalHealthView {
  @ApiProperty({ enum: ['ok', 'error', 'unknown'] }) status!: 'ok' | 'error' | 'unknown';
  @ApiProperty({ nullable: true }) lastSeenAt!: Date | null;
  @ApiProperty({ nullable: true }) lastLatencyMs!: number | null;
  @ApiProperty({ nullable: true }) lastError!: string | null;
  @ApiProperty({ nullable: true }) lastErrorAt!: Date | null;
  @ApiProperty({ description: 'Une transaction est en cours.' }) busy!: boolean;
}

export class TerminalView {
  @ApiProperty() id!: string;
  @ApiProperty({ example: 'terminal' }) object!: 'terminal';
  @ApiProperty() label!: string;
  @ApiProperty({ enum: TERMINAL_MODELS }) model!: string;
  @ApiProperty() regieCode!: string;
  @ApiProperty() transportUrl!: string;
  @ApiProperty({ nullable: true }) bridgeHost!: string | null;
  @ApiProperty({ description: 'Numéros ITP PLBS du modèle.' }) itp!: { acceptanceServer: string; acceptancePoint: string };
  @ApiProperty({ type: TerminalHealthView }) health!: TerminalHealthView;
  @ApiProperty() createdAt!: Date;
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
    createdAt: t.createdAt,
  };
}

export class TerminalListView {
  @ApiProperty({ type: [TerminalView] }) data!: TerminalView[];
}
