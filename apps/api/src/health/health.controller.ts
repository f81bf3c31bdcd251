import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Public } from '../common/auth';
import type { Response } from 'express';

@ApiTags('Exploitation')
@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly dataSource: DataSource) {}

  @Get()
  @ApiOperation({ summary: 'État du service et de sa base de données' })
  @ApiOkResponse({ description: 'Service et base disponibles.' })
  @ApiServiceUnavailableResponse({ description: 'Base de données injoignable.' })
  async health(@Res({ passthrough: true }) response: Response) {
    const started = performance.now();
    let database: { status: 'up' | 'down'; latencyMs?: number; error?: string };
    try {
      await Promise.race([
        this.dataSource.query('SELECT 1'),
        new Promise((_, reject) => setTimeout(() => reject(new Error('délai dépassé (2 s)')), 2000).unref()),
      ]);
      database = { status: 'up', latencyMs: Math.round((performance.now() - started) * 10) / 10 };
    } catch (error) {
      database = { status: 'down', error: error instanceof Error ? error.message : String(error) };
    }
    const status = database.status === 'up' ? 'ok' : 'degraded';
    response.status(status === 'ok' ? 200 : 503);
    return { status, database, uptimeSeconds: Math.round(process.uptime()) };
  }
}
