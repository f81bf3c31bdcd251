import { Global, Module } from '@nestjs/common';
import { DossierLifecycle } from './dossier-lifecycle';
import { DossierSweeps } from './dossier-sweeps';

/** Needs the persistence module, and a NOTICE_PLANNER (the notifier module provides it). */
@Global()
@Module({ providers: [DossierLifecycle, DossierSweeps], exports: [DossierLifecycle, DossierSweeps] })
export class LifecycleModule {}
