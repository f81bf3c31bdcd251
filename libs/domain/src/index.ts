export * from './clock';
export * from './deadlines';
export * from './dossier-status';
export * from './dossier-transitions';
export * from './errors';
export * from './money';
export * from './journal';
