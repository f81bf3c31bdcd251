export * from './oidc-simulator';
export * from './demo-users';
