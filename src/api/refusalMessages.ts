import type { Language } from '../domain/names';
import type { RefusalParams } from '../domain/errors';

type Template = (p: RefusalParams) => string;

const KINDS: Record<string, string> = { downtime: '停机', scrap: '报废', nonconformance: '不合格', hold: '冻结' };
const STATES: Record<string, string> = {
  Quarantined: '已隔离',
  Consumed: '已用完',
  Scrapped: '已报废',
  Returned: '已退货',
  Shipped: '已发货',
  Planned: '未下达',
  Completed: '已完工',
  Closed: '已关闭',
  Cancelled: '已取消',
};

/**
 * The refusals an operator or planner meets, in Simplified Chinese, by rule; each names what the
 * refusal's params name. English details are the errors' own messages. Rules not listed here keep
 * their English detail in every language.
 */
const ZH_CN: Record<string, Template> = {
  'reason-code-unknown': (p) => `${KINDS[p['kind'] as string] ?? ''}原因代码 ${p['code']} 未定义`,
  'reason-code-inactive': (p) => `${KINDS[p['kind'] as string] ?? ''}原因代码 ${p['code']} 已停用`,
  'material-not-on-bom': (p) =>
    `批次 ${p['lotId']} 的物料 ${p['material']} 不在订单 ${p['orderId']} 工序 ${p['operationId']} 的物料清单上`,
  'lot-quarantined': (p) => `批次 ${p['lotId']} 已隔离，不能${p['action'] === 'ship' ? '发货' : '发料'}`,
  'lot-not-available': (p) =>
    `批次 ${p['lotId']} ${STATES[p['status'] as string] ?? p['status']}，不能${p['action'] === 'ship' ? '发货' : '发料'}`,
  'lot-insufficient': (p) => `批次 ${p['lotId']} 库存 ${p['onHand']} ${p['unit']}，不够发 ${p['quantity']}`,
  'order-unknown': (p) => `订单 ${p['orderId']} 不存在`,
  'operation-unknown': (p) => `订单 ${p['orderId']} 没有工序 ${p['operationId']}`,
  'order-closed': (p) => `订单 ${p['orderId']} 已关闭，不能再入库成品`,
  'order-cancelled': (p) => `订单 ${p['orderId']} 已取消，不能再入库成品`,
  'material-not-order-product': (p) => `订单 ${p['orderId']} 生产的是 ${p['product']}，不是 ${p['material']}`,
  'unit-not-order-unit': (p) => `订单 ${p['orderId']} 的单位是 ${p['orderUnit']}，不是 ${p['unit']}`,
  'quantity-exceeds-order': (p) =>
    `订单 ${p['orderId']} 最多可产出 ${p['limit']}（含超产允差），已入库 ${p['produced']}，本批 ${p['quantity']} 超出（最多 ${p['allowed']}）`,
  'lot-not-produced': (p) => `批次 ${p['lotId']} 是外购物料，不是本厂成品，不能发货`,
  'lot-unit-mismatch': (p) => `批次 ${p['lotId']} 的单位是 ${p['lotUnit']}，不是 ${p['unit']}`,
  'shipment-exists': (p) => `批次 ${p['lotId']} 已随发货单 ${p['shipmentId']} 发出，内容不同`,
  'previous-operation-not-done': (p) => `工序 ${p['operationId']} 未就绪：上一道工序尚未完成`,
  'operation-pending': (p) => `工序 ${p['operationId']} 未就绪`,
  'operation-ready': (p) => `工序 ${p['operationId']} 尚未开工`,
  'operation-running': (p) => `工序 ${p['operationId']} 已在进行中`,
  'operation-paused': (p) => `工序 ${p['operationId']} 已暂停`,
  'operation-completed': (p) => `工序 ${p['operationId']} 已完工`,
  'order-not-released': (p) => `订单 ${p['orderId']} ${STATES[p['status'] as string] ?? p['status']}，不能生产`,
  'order-on-hold': (p) => `订单 ${p['orderId']} 已冻结`,
  'inspection-hold': (p) => `工序 ${p['operationId']} 被检验 ${p['holdId']} 停止：检验合格或质检员放行后才能开工`,
  'nonconformance-hold': (p) => `工序 ${p['operationId']} 被不合格品 ${p['holdId']} 停止：处置完成或质检员放行后才能开工`,
  'good-exceeds-delivered': (p) =>
    `工序 ${p['operationId']} 良品将达 ${p['good']}，超过上道工序交付的 ${p['received']}（含允差上限 ${p['limit']}）`,
  'product-unknown': (p) => `产品 ${p['product']} 不在主数据中：请附工艺路线下单，或先定义该产品`,
  'product-inactive': (p) => `产品 ${p['product']} 已停用或尚未生效`,
  'routing-required': (p) => `产品 ${p['product']} 没有生效的工艺路线，订单无法下达`,
  'reference-unknown': (p) => `${p['code']} 引用了主数据中不存在或未生效的代码（${p['path']}）`,
  'machine-unknown': (p) => `设备 ${p['machineId']} 未登记，不能为其制定保养计划（machineId）`,
  'performed-in-future': (p) => `保养完成时间 ${p['performedAt']} 晚于当前时间（performedAt）`,
  'performed-before-previous': (p) =>
    `保养完成时间 ${p['performedAt']} 早于该计划上次保养的 ${p['previous']}（performedAt）`,
  'checklist-unticked': (p) => `保养检查清单未全部勾选：${p['missing']}（checklist）`,
  'checklist-unknown-item': (p) => `检查项「${p['item']}」不在该保养计划的检查清单中（checklist）`,

  'time-in-future': (p) => `${p['field']} 的时间 ${p['at']} 晚于服务器时间 ${p['serverTime']}：请校准设备时钟`,
  'time-before-release': (p) => `${p['field']} 的时间 ${p['at']} 早于订单下达时间 ${p['earliest']}：请校准设备时钟`,
  'time-before-registration': (p) => `${p['field']} 的时间 ${p['at']} 早于设备登记时间 ${p['earliest']}`,
  'scan-id-reused': (p) => `扫码编号 ${p['scanId']} 已用于另一次扫码：新的扫码需要新的编号`,
};

/** The detail of a refusal in the caller's language, or undefined to keep the error's own (English) message. */
export const refusalDetail = (
  rule: string | undefined,
  params: RefusalParams | undefined,
  language: Language,
): string | undefined => {
  if (language !== 'zh-CN' || rule === undefined || params === undefined) return undefined;
  return ZH_CN[rule]?.(params);
};
