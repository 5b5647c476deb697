const KEY = 'mes.cards';

const read = (storage: Storage): Record<string, string> =>
  JSON.parse(storage.getItem(KEY) ?? '{}') as Record<string, string>;

/** Keeps a scanned card's payload (the scans need it whole), for the tab's life. */
export const rememberCard = (storage: Storage, orderId: string, operationId: string, payload: string): void =>
  storage.setItem(KEY, JSON.stringify({ ...read(storage), [`${orderId}/${operationId}`]: payload }));

/** The payload of the card scanned for this operation, if one was. */
export const scannedCard = (storage: Storage, orderId: string, operationId: string): string | undefined =>
  read(storage)[`${orderId}/${operationId}`];
