export * from './types';
export * from './qualityLoop';
export * from './dispatch';
export * from './overdueAlarm';
export * from './correctiveRequests';

export * from './clockOut';
export * from './spc';
export * from './alerts';
export * from './health';
