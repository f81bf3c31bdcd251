export * from './access';
export * from './pty';
export * from './simulated-terminal';
export * from './terminal-simulator';
