import { Controller, Get, Headers, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import type { DiapasonConfig } from '@diapason/config';
import { InjectConfig } from '@diapason/config';
import { DiapasonMetrics, metricsAuthorized } from '@diapason/metrics';
import { Public } from '../common/auth';
import { ProblemException } from '../common/problem';

/**
 * Prometheus scrapes this process here. Not a GAP operation (out of the OpenAPI document) and not
 * behind a GAP key: behind DIAPASON_METRICS_TOKEN when set, and never published by the reverse
 * proxy (docs/operations/nginx).
 */
@ApiExcludeController()
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: DiapasonMetrics,
    @InjectConfig() private readonly config: DiapasonConfig,
  ) {}

  @Get()
  async scrape(@Headers('authorization') authorization: string | undefined, @Res() res: Response): Promise<void> {
    if (!metricsAuthorized(this.config.observability.metricsToken, authorization)) {
      throw new ProblemException(
        401,
        'unauthorized',
        'Jeton de supervision manquant ou invalide : envoyez Authorization: Bearer <DIAPASON_METRICS_TOKEN>.',
        {},
        { 'WWW-Authenticate': 'Bearer realm="diapason-metrics"' },
      );
    }
    const { contentType, body } = await this.metrics.render();
    res.setHeader('Cache-Control', 'no-store');
    res.type(contentType).send(body);
  }
}
