import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { client } from '../support/apiClient';

type Api = ReturnType<typeof client>;
export type SeedOrder = { orderId: string; workCenter: string; customer: string; product: string };

/** Plans and releases an order of 20 shafts for a Chinese customer: 010 turning (bar steel) then 020 milling. */
export const planAndRelease = async (
  api: Api,
  options: { workCenter: string; dueInHours?: number; priority?: number; id?: string },
): Promise<SeedOrder> => {
  const orderId = options.id ?? `PO-${randomBytes(3).toString('hex').toUpperCase()}`;
  const customer = '上海电机厂';
  const product = 'SHAFT-20';
  const due = new Date(Date.now() + (options.dueInHours ?? 48) * 3_600_000).toISOString();
  const operation = (operationId: string, code: string, workCenter: string, materials: unknown[]) => ({
    operationId,
    code,
    workCenter,
    standardMinutesPerUnit: 2,
    setupMinutes: 10,
    inspectionRequired: false,
    materials,
  });
  const planned = await api.post(
    '/api/orders',
    {
      orderId,
      product,
      quantity: 20,
      unit: 'pcs',
      customer,
      priority: options.priority ?? 3,
      dueDate: due,
      routing: {
        overlap: false,
        operations: [
          operation('010', 'TURN', options.workCenter, [{ material: 'BAR-STEEL', quantityPerUnit: 0.8, unit: 'kg' }]),
          operation('020', 'MILL', `${options.workCenter}-2`, []),
        ],
      },
    },
    'planner',
  );
  expect(planned.status, planned.text).to.equal(201);
  const released = await api.post(`/api/orders/${orderId}/release`, {}, 'planner');
  expect(released.status, released.text).to.equal(200);
  return { orderId, workCenter: options.workCenter, customer, product };
};

/** Receives a lot (as a planner would by hand). */
export const receiveLot = async (api: Api, lotId: string, material: string, quantity: number): Promise<void> => {
  const received = await api.post(
    '/api/lots',
    { lotId, material, quantity, unit: 'kg', supplier: '宝钢', supplierLot: `S-${lotId}` },
    'planner',
  );
  expect(received.status, received.text).to.equal(201);
};

/** The types of an order's events, in order (as an auditor reads them). */
export const orderEvents = async (
  api: Api,
  orderId: string,
): Promise<Array<{ type: string; data: Record<string, unknown>; metadata: Record<string, unknown> }>> => {
  const history = await api.get(`/api/streams/order-${orderId}/events`, 'auditor');
  expect(history.status, history.text).to.equal(200);
  return history.body as Array<{ type: string; data: Record<string, unknown>; metadata: Record<string, unknown> }>;
};

/** A card's signed payload, as a printed card's QR code carries it. */
export const cardPayload = async (api: Api, orderId: string, operationId: string): Promise<string> =>
  ((await api.get(`/api/orders/${orderId}/operations/${operationId}/card`, 'operator')).body as { payload: string })
    .payload;
