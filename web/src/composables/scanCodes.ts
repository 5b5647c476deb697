const ID = '[A-Za-z0-9][A-Za-z0-9._:@-]{0,99}';
// MES2/<key>/<order>/<operation>/<signature>; MES1/<order>/<operation>/<signature> printed before key ids
const CARD = new RegExp(`^(?:MES2/[a-z0-9]{1,16}|MES1)/(${ID})/(${ID})/([A-Za-z0-9_-]{22})$`);
const LOT = new RegExp(`^(?:LOT[:/])?(${ID})$`);

/** What a scanned code is: an operation card (its payload kept whole: the backbone checks the signature), a lot label, or neither. */
export type ScannedCode =
  | { kind: 'card'; payload: string; orderId: string; operationId: string }
  | { kind: 'lot'; lotId: string }
  | { kind: 'unknown'; text: string };

/** Reads a scanned text; scanners in keyboard-wedge mode may add spaces or a carriage return. */
export const classifyCode = (raw: string): ScannedCode => {
  const text = raw.trim();
  const card = CARD.exec(text);
  if (card) return { kind: 'card', payload: text, orderId: card[1] as string, operationId: card[2] as string };
  if (/^MES[12]\//.test(text)) return { kind: 'unknown', text };
  const lot = LOT.exec(text);
  if (lot) return { kind: 'lot', lotId: lot[1] as string };
  return { kind: 'unknown', text };
};
