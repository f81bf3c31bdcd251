import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class HealthDatabaseView {
  @ApiProperty({ enum: ['up', 'down'] }) status!: 'up' | 'down';
  @ApiPropertyOptional({ type: 'number', minimum: 0, description: 'Temps de réponse de la base (ms, au dixième), si elle répond.' })
  latencyMs?: number;
  @ApiPropertyOptional({ description: 'Erreur de la base, si elle ne répond pas.' }) error?: string;
}

/** The body of `GET /health`, the same with 200 (`ok`) and 503 (`degraded`). */
export class HealthView {
  @ApiProperty({ enum: ['ok', 'degraded'] }) status!: 'ok' | 'degraded';
  @ApiProperty({ type: HealthDatabaseView }) database!: HealthDatabaseView;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Secondes depuis le démarrage du processus.' }) uptimeSeconds!: number;
}
