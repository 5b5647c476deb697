import { DEFAULT_EMISSION_FACTOR, DEFAULT_SHIFTS, type PlantConfig } from '../../src/app/plant';
import type { Document, ReadStore } from '../../src/app/readStore';
import { createProjections, namespaceOf } from '../../src/projections';

export const TEST_PLANT: PlantConfig = {
  timeZone: 'Asia/Shanghai',
  shifts: DEFAULT_SHIFTS,
  emissionFactors: [DEFAULT_EMISSION_FACTOR],
};

/** Every document of every read model, by projection and collection, in id order. */
export const dumpReadModels = async (readStore: ReadStore): Promise<Record<string, Document[]>> => {
  const dump: Record<string, Document[]> = {};
  for (const projection of createProjections(TEST_PLANT)) {
    const namespace = (await readStore.active(projection.name)) ?? namespaceOf(projection);
    for (const collection of Object.keys(projection.collections)) {
      const docs: Document[] = [];
      let cursor: string | undefined;
      do {
        const page = await readStore.find(namespace, collection, { limit: 1000, cursor });
        docs.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      dump[`${projection.name}.${collection}`] = docs;
    }
  }
  return dump;
};
