export * from './calendar';
export * from './decide';
