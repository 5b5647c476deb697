import express, { type Express } from 'express';
import type { EventStore } from '../app/eventStore';
import type { Logger } from '../app/logger';
import type { ReadModelsRuntime } from '../projections/manager';
import { notFound, problemHandler } from './problem';

export type ApiDeps = {
  store: EventStore;
  logger: Logger;
  readModels: ReadModelsRuntime;
};

/** The HTTP face. Operations endpoints for now; commands, queries and traceability join it. */
export const createApi = ({ store, logger, readModels }: ApiDeps): Express => {
  const app = express();
  app.disable('x-powered-by');
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/ready', async (_req, res) => {
    try {
      const head = await store.headPosition();
      const projections = await readModels.status();
      const failed = projections.filter((p) => p.state === 'failed');
      res.status(failed.length > 0 ? 503 : 200).json({
        status: failed.length > 0 ? 'degraded' : 'ready',
        eventStore: { kind: store.kind, headPosition: head ?? null },
        projections,
      });
    } catch (error) {
      logger.warn('not ready', { error });
      res
        .status(503)
        .type('application/problem+json')
        .send(
          JSON.stringify({
            type: 'https://mes-backbone.dev/problems/not-ready',
            title: 'Not ready',
            status: 503,
            detail: 'the event store does not answer',
          }),
        );
    }
  });
  app.use(notFound);
  app.use(problemHandler(logger));
  return app;
};
