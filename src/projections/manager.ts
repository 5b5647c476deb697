import type { EventStore } from '../app/eventStore';
import type { Logger } from '../lib/logger';
import type { ReadStore } from '../app/readStore';
import {
  namespaceOf,
  startProjectionGroup,
  type Projection,
  type ProjectionGroup,
  type ProjectionStatus,
} from './runner';

export type ReadModelsRuntime = {
  status(): Promise<ProjectionStatus[]>;
  /** Resolves once every projection has applied the log as it was at the call. */
  idle(): Promise<void>;
  stop(): Promise<void>;
};

type Deps = { store: EventStore; readStore: ReadStore; logger: Logger };

/**
 * Events a live group reads, applies and commits in one turn of the event loop. Requests wait while
 * it works: the runner's default of 2,000 (a rebuild's, off the loop) made commits of 83-167 ms in a
 * loaded soak, where the backbone must answer within 100 ms.
 */
const LIVE_BATCH_SIZE = 500;

/**
 * Documents each live projection keeps in memory: a few batches' worth. A rebuild keeps up to 200,000
 * (it reads back what it wrote); live, a plant's new orders are read once or twice and were kept for ever:
 * a soak's memory grew with them. A start that catches up on a long log reads documents back more often.
 */
const LIVE_CACHE_DOCS = 5_000;

/**
 * Runs the projections. One whose namespace is active (or that has none yet) runs in the main group;
 * a new version builds beside the old one in a group of its own and, once it has caught up, becomes
 * the one queries read, and the old namespace is dropped (blue/green).
 */
export const startReadModels = async (
  deps: Deps,
  projections: Projection[],
  /** onBatch: called after each committed batch of the active projections. */
  options: {
    batchSize?: number;
    /** Documents each projection keeps in memory once live (default LIVE_CACHE_DOCS). */
    cacheLimit?: number;
    onBatch?: (progress: { position: string | undefined; events: number }) => void;
  } = {},
): Promise<ReadModelsRuntime> => {
  const current: Array<{ projection: Projection; namespace: string }> = [];
  const takeovers: Array<{ projection: Projection; previous: string }> = [];
  for (const projection of projections) {
    const active = await deps.readStore.active(projection.name);
    const namespace = namespaceOf(projection);
    if (active === undefined) {
      await deps.readStore.activate(projection.name, namespace);
      current.push({ projection, namespace });
    } else if (active === namespace || active.startsWith(`${namespace}_r`)) {
      // the same version (perhaps rebuilt into a fresh namespace) goes on where it is
      current.push({ projection, namespace: active });
    } else takeovers.push({ projection, previous: active });
  }
  const batchSize = options.batchSize ?? LIVE_BATCH_SIZE;
  const live = { batchSize, cacheLimit: options.cacheLimit ?? LIVE_CACHE_DOCS };
  const groups: ProjectionGroup[] = [await startProjectionGroup(deps, current, { ...options, ...live })];
  const switching: Array<Promise<void>> = [];
  for (const { projection, previous } of takeovers) {
    const group = await startProjectionGroup(deps, [{ projection, namespace: namespaceOf(projection) }], live);
    groups.push(group);
    deps.logger.info('projection rebuilding beside the active version', {
      projection: projection.name,
      active: previous,
      building: namespaceOf(projection),
    });
    switching.push(
      group.idle().then(async () => {
        const [status] = await group.status();
        if (status?.state === 'failed') return;
        await deps.readStore.activate(projection.name, namespaceOf(projection));
        await deps.readStore.drop(previous);
        deps.logger.info('projection took over', {
          projection: projection.name,
          namespace: namespaceOf(projection),
          dropped: previous,
        });
      }),
    );
  }
  return {
    async status() {
      return (await Promise.all(groups.map((g) => g.status()))).flat();
    },
    async idle() {
      await Promise.all([...groups.map((g) => g.idle()), ...switching]);
    },
    async stop() {
      await Promise.all(groups.map((g) => g.stop()));
    },
  };
};

/**
 * Runs some of a rebuild's projections elsewhere (a worker thread with its own connections to the
 * same stores), so read models build on two cores: `run` gets their fresh namespaces and resolves with
 * their statuses once they have caught up (committed) or failed.
 */
export type RebuildElsewhere = {
  /** The projections (by name) handed over; the others are rebuilt here. */
  names: readonly string[];
  run(
    entries: Array<{ name: string; namespace: string }>,
    options: { batchSize: number; commitEvery: number },
  ): Promise<ProjectionStatus[]>;
};

/**
 * Rebuilds projections from the start of the log into fresh namespaces and switches queries to them
 * when done; the namespaces they replace are dropped. Reports progress per batch (of the projections
 * rebuilt here).
 */
export const rebuildReadModels = async (
  deps: Deps,
  projections: Projection[],
  onProgress: (progress: { position: string | undefined; events: number }) => void,
  /**
   * batchSize: events read at a time (2000); commitEvery: events applied between commits (100,000);
   * elsewhere: projections rebuilt beside these, in parallel (none).
   */
  options: { batchSize?: number; commitEvery?: number; elsewhere?: RebuildElsewhere } = {},
): Promise<ProjectionStatus[]> => {
  const suffix = `_r${Date.now().toString(36)}`;
  const entries = projections.map((projection) => ({ projection, namespace: `${namespaceOf(projection)}${suffix}` }));
  for (const { namespace } of entries) await deps.readStore.drop(namespace);
  const batchSize = options.batchSize ?? 2000;
  const commitEvery = options.commitEvery ?? 100_000;
  const away = new Set(options.elsewhere?.names ?? []);
  const here = entries.filter((e) => !away.has(e.projection.name));
  const there = entries.filter((e) => away.has(e.projection.name));
  // made here too, so this store's connection knows the collections written elsewhere
  for (const { projection, namespace } of there) await deps.readStore.ensure(namespace, projection.collections);
  const elsewhere =
    there.length > 0 && options.elsewhere
      ? options.elsewhere.run(
          there.map((e) => ({ name: e.projection.name, namespace: e.namespace })),
          { batchSize, commitEvery },
        )
      : Promise.resolve([]);
  // read in pages, commit seldom: a document touched by many events between commits is written once
  const local = async (): Promise<ProjectionStatus[]> => {
    if (here.length === 0) return [];
    const group = await startProjectionGroup(deps, here, { batchSize, commitEvery, onBatch: onProgress });
    await group.idle();
    const status = await group.status();
    await group.stop();
    return status;
  };
  // both halves run to their end before anything is switched (or an error thrown)
  const [mine, theirs] = await Promise.allSettled([local(), elsewhere]);
  if (mine.status === 'rejected') throw mine.reason;
  if (theirs.status === 'rejected') throw theirs.reason;
  const status = entries.map(({ projection, namespace }) => {
    const found = [...mine.value, ...theirs.value].find((s) => s.namespace === namespace);
    if (!found) throw new Error(`the rebuild of ${projection.name} reported no status`);
    return found;
  });
  for (const { projection, namespace } of entries) {
    if (status.find((s) => s.namespace === namespace)?.state === 'failed') continue;
    const previous = await deps.readStore.active(projection.name);
    await deps.readStore.activate(projection.name, namespace);
    if (previous && previous !== namespace) await deps.readStore.drop(previous);
  }
  return status;
};
