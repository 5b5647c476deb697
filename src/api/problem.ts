import type { ErrorRequestHandler, RequestHandler } from 'express';
import { isKnownError, ValidationError, type FieldProblem } from '../domain/errors';
import type { Logger } from '../lib/logger';
import { languageOf } from './language';
import { refusalDetail } from './refusalMessages';

/** RFC 9457 problem details. */
export type Problem = {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  /** The failing fields, as JSON pointers into the request. */
  errors?: FieldProblem[];
  [extension: string]: unknown;
};

const TYPE_BASE = 'https://mes-backbone.dev/problems/';

const send = (res: Parameters<RequestHandler>[1], problem: Problem): void => {
  const requestId = res.get('X-Request-Id');
  const correlationId = res.get('X-Correlation-Id');
  res
    .status(problem.status)
    .type('application/problem+json')
    .send(
      JSON.stringify({ ...problem, ...(requestId ? { requestId } : {}), ...(correlationId ? { correlationId } : {}) }),
    );
};

/**
 * Answers with a problem document of a kind (`unsupported-media-type`, `not-ready`...) and the request id;
 * `extensions` adds members (`errors`, `rule`, a route's own).
 */
export const sendProblem = (
  res: Parameters<RequestHandler>[1],
  kind: string,
  status: number,
  title: string,
  detail: string,
  extensions: Record<string, unknown> = {},
): void => send(res, { ...extensions, type: `${TYPE_BASE}${kind}`, title, status, detail });

/** Any route that matched nothing. */
export const notFound: RequestHandler = (req, res) =>
  send(res, {
    type: `${TYPE_BASE}not-found`,
    title: 'Not found',
    status: 404,
    detail: `no route ${req.method} ${req.path}`,
  });

type StorageProblem = { type: string; title: string; detail: string; log: string; retryAfter?: string };
/** The disk is full: nothing was written; the client may try again once space is back. */
const STORAGE_FULL: StorageProblem = {
  type: 'storage-full',
  title: 'Storage full',
  detail: 'the disk is full: nothing was written; try again later',
  log: 'storage full: a write was refused',
  retryAfter: '30',
};
/**
 * The disk failed a write or a sync (the log refuses every append after one until a restart): the
 * change may or may not be stored, and a retry with its Idempotency-Key is answered either way.
 */
const STORAGE_FAILED: StorageProblem = {
  type: 'storage-failed',
  title: 'Storage failed',
  detail: 'the disk could not be written: the change may not be stored; retry once the backbone is restarted',
  log: 'storage failed: a write was refused',
};
/** A write the disk refused, by the error's code: a 503 the client can act on, not a 500. */
const STORAGE_PROBLEMS = new Map<string, StorageProblem>([
  ['SQLITE_FULL', STORAGE_FULL],
  ['ENOSPC', STORAGE_FULL],
  ['EIO', STORAGE_FAILED],
  ['SQLITE_IOERR', STORAGE_FAILED],
]);

/** Turns every error into a problem document; an unknown one is logged with its stack and answered 500. */
export const problemHandler =
  (logger: Logger): ErrorRequestHandler =>
  (error: unknown, req, res, next) => {
    if (res.headersSent) return next(error);
    const instance = req.originalUrl;
    if (isKnownError(error)) {
      const { rule, params } = error as { rule?: string; params?: Readonly<Record<string, string | number>> };
      const language = languageOf(req);
      const localised = refusalDetail(rule, params, language);
      const problem: Problem = {
        type: `${TYPE_BASE}${error.type}`,
        title: error.name,
        status: error.status,
        detail: localised ?? error.message,
        instance,
      };
      if (error instanceof ValidationError) problem.errors = error.problems;
      // a 404 or 409 that names the fields it is about (an issue to an order that does not exist)
      else if ('problems' in error && Array.isArray(error.problems)) problem.errors = error.problems;
      for (const key of ['rule', 'params', 'streamId', 'expected', 'actual', 'eventId', 'rows'] as const) {
        if (key in error) problem[key] = (error as unknown as Record<string, unknown>)[key];
      }
      if (localised) res.set('Content-Language', language);
      return send(res, problem);
    }
    const code = (error as { code?: unknown }).code;
    const storage = typeof code === 'string' ? STORAGE_PROBLEMS.get(code) : undefined;
    if (storage) {
      logger.error(storage.log, { code, path: req.path, error });
      if (storage.retryAfter) res.set('Retry-After', storage.retryAfter);
      return send(res, {
        type: `${TYPE_BASE}${storage.type}`,
        title: storage.title,
        status: 503,
        detail: storage.detail,
        instance,
      });
    }
    // body-parser's errors carry their own 4xx status (malformed JSON, too large, bad encoding)
    const status = (error as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const message = error instanceof Error ? error.message : 'bad request';
      return send(res, { type: `${TYPE_BASE}bad-request`, title: 'Bad request', status, detail: message, instance });
    }
    logger.error('unhandled error', { error, method: req.method, path: req.path });
    return send(res, { type: `${TYPE_BASE}internal`, title: 'Internal error', status: 500, instance });
  };
