import type * as Schema from '../generated';
import type { Event } from '../messages';
import { recordDecider, type RecordCommand, type RecordKind, type RecordEvent, type RecordInput } from './record';
import { repeated, type Reference } from './references';
import type { RecordDeactivation, RecordVersion } from './timeline';

/** An employee as data (the code is the employee number); logins and roles are not part of it. */
export type EmployeeRecord = Schema.MasterDataEmployeeRecord;

export type EmployeeDefined = Event<'EmployeeDefined', RecordVersion<EmployeeRecord>>;
export type EmployeeRevised = Event<'EmployeeRevised', RecordVersion<EmployeeRecord>>;
export type EmployeeDeactivated = Event<'EmployeeDeactivated', RecordDeactivation>;
export type EmployeeEvent = RecordEvent<'Employee', EmployeeRecord>;
export type EmployeeCommand = RecordCommand<'Employee', EmployeeRecord>;

export const employeeKind: RecordKind<'Employee', EmployeeRecord> = {
  prefix: 'Employee',
  category: 'employee',
  rule: 'employee',
  label: 'employee',
  validate: (record) => [
    ...repeated(record.workCenters ?? [], (i) => `/workCenters/${i}`, 'work center'),
    ...repeated(record.skills ?? [], (i) => `/skills/${i}`, 'skill'),
  ],
};
export const employeeDecider = recordDecider(employeeKind);

export const employeeReferences = ({ record }: RecordInput<EmployeeRecord>): Reference[] =>
  (record.workCenters ?? []).map((code, i) => ({ path: `/workCenters/${i}`, kind: 'workCenter' as const, code }));
