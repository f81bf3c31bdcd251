export * from './config';
export * from './config.module';
export * from './logging';
export { InvalidSetting } from './env-parsers';
export * from './graceful-shutdown';
