import express, { type Express } from 'express';
import type { EventStore } from '../app/eventStore';
import type { Logger } from '../app/logger';
import { notFound, problemHandler } from './problem';

export type ApiDeps = {
  store: EventStore;
  logger: Logger;
};

/** The HTTP face. Operations endpoints for now; commands, queries and traceability join it. */
export const createApi = ({ store, logger }: ApiDeps): Express => {
  const app = express();
  app.disable('x-powered-by');
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/ready', async (_req, res) => {
    try {
      const head = await store.headPosition();
      res.json({ status: 'ready', eventStore: { kind: store.kind, headPosition: head ?? null } });
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
