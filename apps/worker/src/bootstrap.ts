import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { Logger } from 'nestjs-pino';
import { Clock, systemClock } from '@diapason/domain';
import { DiapasonConfig } from '@diapason/config';
import { WorkerModule } from './worker.module';

export async function createWorker(config: DiapasonConfig, clock: Clock = systemClock): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config, clock), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  return app;
}
