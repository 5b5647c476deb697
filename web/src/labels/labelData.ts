import QRCode from 'qrcode';
import type { ApiClient } from '../composables/api';
import { formatDue } from '../composables/format';
import type { MasterData } from '../composables/masterData';
import type { CardInfo } from '../composables/orders';
import type { WipOrder } from '../composables/workList';

/** One printed label: its QR code (SVG), a title and name/value lines. */
export type Label = { key: string; qr: string; title: string; lines: Array<[string, string]> };
type Lot = { lotId: string; material: string; unit: string; onHand: number; supplier?: string };
type Deps = { api: ApiClient; masterData: MasterData; t: (key: string) => string };

const qr = (text: string): Promise<string> =>
  QRCode.toString(text, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
const path = (s: string) => encodeURIComponent(s);
const line = (name: string, value: string | undefined): Array<[string, string]> => (value ? [[name, value]] : []);

/** An order's operation cards: the signed payload from the card route, names from master data when served. */
export const cardLabels = async ({ api, masterData, t }: Deps, orderId: string): Promise<Label[]> => {
  const order = await api.get<WipOrder>(`/api/wip/orders/${path(orderId)}`);
  const name = await masterData.productName(order.product);
  return Promise.all(
    order.operations.map(async (op): Promise<Label> => {
      const card = await api.get<CardInfo>(`/api/orders/${path(orderId)}/operations/${path(op.operationId)}/card`);
      return {
        key: `card/${orderId}/${op.operationId}`,
        qr: await qr(card.payload),
        title: t('labels.cards'),
        lines: [
          [t('labels.order'), orderId],
          [t('labels.product'), name ? `${name} ${card.product}` : card.product],
          ...line(t('labels.customer'), card.customer),
          [t('labels.operation'), `${card.operationId} ${card.code}`],
          [t('labels.workCenter'), card.workCenter],
          [t('labels.quantity'), `${card.quantity} ${card.unit}`],
          ...line(t('labels.due'), card.dueDate && formatDue(card.dueDate)),
        ],
      };
    }),
  );
};

/** A lot's label: its QR code is the lot id a PDA scans to issue it. */
export const lotLabel = async ({ api, masterData, t }: Deps, lotId: string): Promise<Label> => {
  const lot = await api.get<Lot>(`/api/lots/${path(lotId)}`);
  const name = await masterData.materialName(lot.material);
  return {
    key: `lot/${lotId}`,
    qr: await qr(lot.lotId),
    title: t('labels.lots'),
    lines: [
      [t('labels.lot'), lot.lotId],
      [t('labels.material'), name ? `${name} ${lot.material}` : lot.material],
      [t('labels.quantity'), `${lot.onHand} ${lot.unit}`],
      ...line(t('labels.supplier'), lot.supplier),
    ],
  };
};
