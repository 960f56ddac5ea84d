// Public plugin SDK: the only module connector plugins import from Tributary.
export * from './data.ts';
export * from './config.ts';
export * from './connector.ts';
export * from './decimal.ts';
export * from './bytes.ts';
