import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { Logger } from 'nestjs-pino';
import { Clock, systemClock } from '@diapason/domain';
import { DiapasonConfig } from '@diapason/config';
import type { HostLookup } from '@diapason/notifier';
import { WorkerModule } from './worker.module';

/** `options.hostLookup`: resolves webhook host names (tests give their own); the system resolver otherwise. */
export async function createWorker(
  config: DiapasonConfig,
  clock: Clock = systemClock,
  options: { hostLookup?: HostLookup } = {},
): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config, clock, options), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  return app;
}
