/** Turns `fromVersion` data of `type` into the next version's. Pure; the log is never rewritten. */
export type Upcaster = {
  type: string;
  fromVersion: number;
  /** `metadata` is the stored event's (occurredAt, actor, schemaVersion...), for upcasts that need it. */
  upcast: (data: Record<string, unknown>, metadata: Readonly<Record<string, unknown>>) => Record<string, unknown>;
};

/** Every upcaster of the domain's event types, oldest version first. */
export const upcasters: Upcaster[] = [];
