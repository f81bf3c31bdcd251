export * from './acquirer-client';
export * from './bank-reasons';
