export * from './roles';
export * from './credentials';
export * from './events';
export * from './decide';
