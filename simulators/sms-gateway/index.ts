export * from './sms-gateway-simulator';
