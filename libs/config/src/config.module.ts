import { Global, Inject, Module } from '@nestjs/common';
import { Clock, systemClock } from '@diapason/domain';
import { DiapasonConfig, loadConfig } from './config';

export const DIAPASON_CONFIG = Symbol('DIAPASON_CONFIG');
export const CLOCK = Symbol('CLOCK');

/** Injects the typed configuration: `@InjectConfig() private readonly config: DiapasonConfig`. */
export const InjectConfig = (): ParameterDecorator => Inject(DIAPASON_CONFIG);

/** Injects the clock every business delay is measured with; tests replace it with a ManualClock. */
export const InjectClock = (): ParameterDecorator => Inject(CLOCK);

@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: DiapasonConfig = loadConfig(), clock: Clock = systemClock) {
    return {
      module: ConfigModule,
      providers: [
        { provide: DIAPASON_CONFIG, useValue: config },
        { provide: CLOCK, useValue: clock },
      ],
      exports: [DIAPASON_CONFIG, CLOCK],
    };
  }
}
