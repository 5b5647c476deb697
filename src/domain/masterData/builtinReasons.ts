import type { Names } from '../names';

type Builtin = { code: string; names: Names };

/**
 * The reason codes every plant has until it defines its own, with zh-CN and en labels. A plant
 * overrides one by defining the same code (and may then revise or deactivate it); the downtime
 * kinds follow the six big losses and ISO 22400's planned and unplanned stops.
 */
export const BUILTIN_REASON_CODES: Record<'downtime' | 'scrap' | 'nonconformance' | 'hold', readonly Builtin[]> = {
  downtime: [
    { code: 'breakdown', names: { 'zh-CN': '设备故障', en: 'Breakdown' } },
    { code: 'changeover', names: { 'zh-CN': '换型调机', en: 'Changeover' } },
    { code: 'material-shortage', names: { 'zh-CN': '缺料', en: 'Material shortage' } },
    { code: 'no-operator', names: { 'zh-CN': '缺人', en: 'No operator' } },
    { code: 'minor-stop', names: { 'zh-CN': '短暂停机', en: 'Minor stop' } },
    { code: 'quality-hold', names: { 'zh-CN': '质量停机', en: 'Quality hold' } },
    { code: 'tooling', names: { 'zh-CN': '刀具工装问题', en: 'Tooling problem' } },
    { code: 'planned-stop', names: { 'zh-CN': '计划停机', en: 'Planned stop' } },
    { code: 'planned-maintenance', names: { 'zh-CN': '计划保养', en: 'Planned maintenance' } },
    { code: 'no-demand', names: { 'zh-CN': '无生产任务', en: 'No demand' } },
    { code: 'break', names: { 'zh-CN': '休息', en: 'Break' } },
  ],
  scrap: [
    { code: 'dimension', names: { 'zh-CN': '尺寸超差', en: 'Out of dimension' } },
    { code: 'surface', names: { 'zh-CN': '表面缺陷', en: 'Surface defect' } },
    { code: 'material-defect', names: { 'zh-CN': '来料缺陷', en: 'Material defect' } },
    { code: 'setup-scrap', names: { 'zh-CN': '调机废品', en: 'Setup scrap' } },
    { code: 'handling-damage', names: { 'zh-CN': '搬运损伤', en: 'Handling damage' } },
    { code: 'other', names: { 'zh-CN': '其他', en: 'Other' } },
  ],
  nonconformance: [
    { code: 'dimensional', names: { 'zh-CN': '尺寸不合格', en: 'Dimensional' } },
    { code: 'visual', names: { 'zh-CN': '外观不合格', en: 'Visual' } },
    { code: 'functional', names: { 'zh-CN': '性能不合格', en: 'Functional' } },
    { code: 'material', names: { 'zh-CN': '材料不合格', en: 'Material' } },
    { code: 'labelling', names: { 'zh-CN': '标识不符', en: 'Labelling' } },
  ],
  hold: [
    { code: 'quality-hold', names: { 'zh-CN': '质量冻结', en: 'Quality hold' } },
    { code: 'material-hold', names: { 'zh-CN': '物料待定', en: 'Material on hold' } },
    { code: 'customer-request', names: { 'zh-CN': '客户要求', en: 'Customer request' } },
    { code: 'engineering-change', names: { 'zh-CN': '工程变更', en: 'Engineering change' } },
  ],
};
