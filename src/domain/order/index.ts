export * from './events';
export * from './state';
export * from './decide';
export * from './holds';
export * from './quality';
