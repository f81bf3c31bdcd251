import { Module } from '@nestjs/common';
import { MetricsModule } from '@diapason/metrics';
import { HttpMetrics } from './http-metrics';
import { MetricsController } from './metrics.controller';

/**
 * The api's registry: HTTP latency by route, database pool, notices failed through provider
 * callbacks, process metrics. The gauges read from the database are the workers' (one value for
 * the whole installation, whatever the number of api replicas).
 */
@Module({ imports: [MetricsModule.forRoot('api')], controllers: [MetricsController], providers: [HttpMetrics], exports: [HttpMetrics] })
export class ApiMetricsModule {}
