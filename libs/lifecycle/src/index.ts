export * from './commands';
export * from './dossier-lifecycle';
export * from './dossier-sweeps';
export * from './lifecycle.module';
