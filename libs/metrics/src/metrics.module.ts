import { DynamicModule, Global, Module } from '@nestjs/common';
import { DiapasonMetrics, MetricsRole } from './metrics';

/** One registry for the process; libs inject DiapasonMetrics with @Optional() (the CLI has none). */
@Global()
@Module({})
export class MetricsModule {
  static forRoot(role: MetricsRole): DynamicModule {
    return {
      module: MetricsModule,
      providers: [{ provide: DiapasonMetrics, useFactory: () => new DiapasonMetrics(role) }],
      exports: [DiapasonMetrics],
    };
  }
}
