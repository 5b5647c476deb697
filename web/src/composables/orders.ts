import { inject, type InjectionKey } from 'vue';
import { ApiError, NetworkError, type ApiClient } from './api';
import type { WipOrder } from './workList';

/** What an operation card's JSON says (`GET /api/orders/{orderId}/operations/{operationId}/card`). */
export type CardInfo = {
  payload: string;
  orderId: string;
  operationId: string;
  code: string;
  workCenter: string;
  product: string;
  quantity: number;
  unit: string;
  customer?: string;
  dueDate?: string;
  /** The operation's bill of materials, per unit of the order's product. */
  materials?: Array<{ material: string; quantityPerUnit: number; unit: string }>;
};

const orderKey = (id: string) => `mes.order.${id}`;
const INDEX = 'mes.kept';
// orders and cards kept for offline screens: the newest ones only, so a PDA's storage never fills
const KEEP = 100;
const cardKey = (orderId: string, operationId: string) => `mes.card.${orderId}/${operationId}`;

/**
 * Orders and cards as last read, kept on the device so a screen opened offline still shows them, and
 * changed here by what the operator did until the read model says so itself.
 */
export const createOrders = (api: ApiClient, storage: Storage) => {
  const write = (key: string, value: unknown): void => {
    const index = (JSON.parse(storage.getItem(INDEX) ?? '[]') as string[]).filter((k) => k !== key);
    index.push(key);
    for (const old of index.splice(0, Math.max(0, index.length - KEEP))) storage.removeItem(old);
    storage.setItem(INDEX, JSON.stringify(index));
    storage.setItem(key, JSON.stringify(value));
  };
  const read = <T>(key: string): T | undefined => {
    const saved = storage.getItem(key);
    return saved ? (JSON.parse(saved) as T) : undefined;
  };
  const fetchKept = async <T>(key: string, path: string): Promise<T | undefined> => {
    try {
      const value = await api.get<T>(path);
      write(key, value);
      return value;
    } catch (error) {
      if (error instanceof NetworkError) return read<T>(key);
      if (error instanceof ApiError && error.problem.status === 404) return undefined;
      throw error;
    }
  };
  return {
    order: (id: string) => fetchKept<WipOrder>(orderKey(id), `/api/wip/orders/${encodeURIComponent(id)}`),
    card: (orderId: string, operationId: string) =>
      fetchKept<CardInfo>(
        cardKey(orderId, operationId),
        `/api/orders/${encodeURIComponent(orderId)}/operations/${encodeURIComponent(operationId)}/card`,
      ),
    /** Keeps an order as the operator's own action left it (shown offline, replaced by the next read). */
    keep(order: WipOrder): void {
      write(orderKey(order.orderId), order);
    },
    kept: (id: string) => read<WipOrder>(orderKey(id)),
  };
};

export type Orders = ReturnType<typeof createOrders>;
export const ORDERS: InjectionKey<Orders> = Symbol('orders');

export const useOrders = (): Orders => {
  const orders = inject(ORDERS);
  if (!orders) throw new Error('orders are provided by main.ts');
  return orders;
};
