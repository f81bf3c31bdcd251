export * from './acquirer-simulator';
