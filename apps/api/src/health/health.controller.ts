import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Public } from '../common/auth';
import { HealthView } from './health.view';
import type { Response } from 'express';

@ApiTags('Exploitation')
@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly dataSource: DataSource) {}

  @Get()
  @ApiOperation({ operationId: 'getHealth', summary: 'État du service et de sa base de données' })
  @ApiOkResponse({ type: HealthView, description: 'Service et base disponibles (`status: ok`).' })
  @ApiServiceUnavailableResponse({
    type: HealthView,
    description: 'Base de données injoignable (`status: degraded`) : même corps qu’en 200, pas un problème RFC 9457.',
  })
  async health(@Res({ passthrough: true }) response: Response): Promise<HealthView> {
    const started = performance.now();
    let database: HealthView['database'];
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
