import type * as Schema from '../generated';
import type { Event } from '../messages';
import { recordDecider, type RecordCommand, type RecordKind, type RecordEvent } from './record';
import type { RecordDeactivation, RecordVersion } from './timeline';

/** A product made here: its code stays the safe pattern, its names are free text in zh-CN and en. */
export type ProductRecord = Schema.MasterDataProductRecord;
/** A purchased material: what BOM lines name besides products. */
export type MaterialRecord = Schema.MasterDataMaterialRecord;

export type ProductDefined = Event<'ProductDefined', RecordVersion<ProductRecord>>;
export type ProductRevised = Event<'ProductRevised', RecordVersion<ProductRecord>>;
export type ProductDeactivated = Event<'ProductDeactivated', RecordDeactivation>;
export type MaterialDefined = Event<'MaterialDefined', RecordVersion<MaterialRecord>>;
export type MaterialRevised = Event<'MaterialRevised', RecordVersion<MaterialRecord>>;
export type MaterialDeactivated = Event<'MaterialDeactivated', RecordDeactivation>;

export type ProductEvent = RecordEvent<'Product', ProductRecord>;
export type ProductCommand = RecordCommand<'Product', ProductRecord>;
export type MaterialEvent = RecordEvent<'Material', MaterialRecord>;
export type MaterialCommand = RecordCommand<'Material', MaterialRecord>;

export const productKind: RecordKind<'Product', ProductRecord> = {
  prefix: 'Product',
  category: 'product',
  rule: 'product',
  label: 'product',
  validate: () => [],
};
export const productDecider = recordDecider(productKind);
export const materialKind: RecordKind<'Material', MaterialRecord> = {
  prefix: 'Material',
  category: 'material',
  rule: 'material',
  label: 'material',
  validate: () => [],
};
export const materialDecider = recordDecider(materialKind);
