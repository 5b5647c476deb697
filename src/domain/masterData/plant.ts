import type * as Schema from '../generated';
import type { Event } from '../messages';
import { recordDecider, type RecordCommand, type RecordKind, type RecordEvent, type RecordInput } from './record';
import { repeated, type Reference } from './references';
import type { RecordDeactivation, RecordVersion } from './timeline';

/** A site (plant); its code is the site of the emission factors in the plant configuration. */
export type SiteRecord = Schema.MasterDataSiteRecord;
export type LineRecord = Schema.MasterDataLineRecord;
/** A work center: its machines, its site (for carbon factors) and the shift calendar it follows. */
export type WorkCenterRecord = Schema.MasterDataWorkCenterRecord;

export type SiteDefined = Event<'SiteDefined', RecordVersion<SiteRecord>>;
export type SiteRevised = Event<'SiteRevised', RecordVersion<SiteRecord>>;
export type SiteDeactivated = Event<'SiteDeactivated', RecordDeactivation>;
export type LineDefined = Event<'LineDefined', RecordVersion<LineRecord>>;
export type LineRevised = Event<'LineRevised', RecordVersion<LineRecord>>;
export type LineDeactivated = Event<'LineDeactivated', RecordDeactivation>;
export type WorkCenterDefined = Event<'WorkCenterDefined', RecordVersion<WorkCenterRecord>>;
export type WorkCenterRevised = Event<'WorkCenterRevised', RecordVersion<WorkCenterRecord>>;
export type WorkCenterDeactivated = Event<'WorkCenterDeactivated', RecordDeactivation>;

export type SiteEvent = RecordEvent<'Site', SiteRecord>;
export type SiteCommand = RecordCommand<'Site', SiteRecord>;
export type LineEvent = RecordEvent<'Line', LineRecord>;
export type LineCommand = RecordCommand<'Line', LineRecord>;
export type WorkCenterEvent = RecordEvent<'WorkCenter', WorkCenterRecord>;
export type WorkCenterCommand = RecordCommand<'WorkCenter', WorkCenterRecord>;

export const siteKind: RecordKind<'Site', SiteRecord> = {
  prefix: 'Site',
  category: 'site',
  rule: 'site',
  label: 'site',
  validate: () => [],
};
export const siteDecider = recordDecider(siteKind);
export const lineKind: RecordKind<'Line', LineRecord> = {
  prefix: 'Line',
  category: 'line',
  rule: 'line',
  label: 'line',
  validate: () => [],
};
export const lineDecider = recordDecider(lineKind);
/** Stream `workcenterdef-<code>`: `workcenter-<code>` is the work center's dispatch queue. */
export const workCenterKind: RecordKind<'WorkCenter', WorkCenterRecord> = {
  prefix: 'WorkCenter',
  category: 'workcenterdef',
  rule: 'work-center',
  label: 'work center',
  validate: (record) => repeated(record.machines ?? [], (i) => `/machines/${i}`, 'machine'),
};
export const workCenterDecider = recordDecider(workCenterKind);

export const lineReferences = ({ record }: RecordInput<LineRecord>): Reference[] => [
  { path: '/site', kind: 'site', code: record.site },
];
export const workCenterReferences = ({ record }: RecordInput<WorkCenterRecord>): Reference[] => [
  { path: '/site', kind: 'site', code: record.site },
  ...(record.line ? [{ path: '/line', kind: 'line' as const, code: record.line, site: record.site }] : []),
];
