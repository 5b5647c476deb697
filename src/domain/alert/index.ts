export * from './events';
export * from './decide';
export * from './texts';
