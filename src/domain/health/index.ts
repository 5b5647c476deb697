export * from './charts';
export * from './decide';
