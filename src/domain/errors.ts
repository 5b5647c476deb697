/**
 * The error hierarchy every layer shares. Each class has a literal `type` to narrow on and the
 * HTTP status the API answers with; the problem+json middleware needs nothing else.
 */

/** One failing field: a JSON pointer into the input and what is wrong there. */
export type FieldProblem = { path: string; message: string };

type ErrorOptions = { cause?: unknown };

/** What a refusal names (a lot, an operation, a code), for a message in the caller's language. */
export type RefusalParams = Readonly<Record<string, string | number>>;

export abstract class AppError extends Error {
  abstract readonly type: string;
  abstract readonly status: number;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Input that does not satisfy its schema or a business rule about its shape (400). */
export class ValidationError extends AppError {
  readonly type = 'validation' as const;
  readonly status = 400;
  /** The rule that refused the input, when one did (an unknown reason code): for clients to branch on. */
  readonly rule?: string;
  readonly params?: RefusalParams;
  constructor(
    message: string,
    readonly problems: FieldProblem[] = [],
    options?: ErrorOptions & { rule?: string; params?: RefusalParams },
  ) {
    super(message, options);
    if (options?.rule) this.rule = options.rule;
    if (options?.params) this.params = options.params;
  }
}

export class NotFoundError extends AppError {
  readonly type = 'not-found' as const;
  readonly status = 404;
  /** The rule that refused, when one names what is missing (`order-unknown`): for clients to branch on. */
  readonly rule?: string;
  readonly params?: RefusalParams;
  /** The input fields that name what is missing. */
  readonly problems?: FieldProblem[];
  constructor(
    message: string,
    options?: ErrorOptions & { rule?: string; params?: RefusalParams; problems?: FieldProblem[] },
  ) {
    super(message, options);
    if (options?.rule) this.rule = options.rule;
    if (options?.params) this.params = options.params;
    if (options?.problems) this.problems = options.problems;
  }
}

/** A command that does not apply to the aggregate in its current state (409). */
export class IllegalStateError extends AppError {
  readonly type = 'illegal-state' as const;
  readonly status = 409;
  constructor(
    message: string,
    /** A short, stable name of the rule that refused, for clients to branch on. */
    readonly rule: string = 'illegal-state',
    options?: ErrorOptions & { params?: RefusalParams; problems?: FieldProblem[] },
  ) {
    super(message, options);
    if (options?.params) this.params = options.params;
    if (options?.problems) this.problems = options.problems;
  }
  readonly params?: RefusalParams;
  /** The input fields the refusal is about, when it names them. */
  readonly problems?: FieldProblem[];
}

/** Refuses a command by the rule it breaks (409), naming what it refuses in `params`. */
export const refuse = (rule: string, message: string, params?: RefusalParams): never => {
  throw new IllegalStateError(message, rule, params ? { params } : undefined);
};

export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | number;

/** The stream is not at the revision the writer expected (412 with If-Match, or retried). */
export class WrongExpectedRevisionError extends AppError {
  readonly type = 'wrong-expected-revision' as const;
  readonly status = 412;
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    /** The stream's current revision, or 'no_stream' when it does not exist. */
    readonly actual: number | 'no_stream',
    options?: ErrorOptions,
  ) {
    super(`stream ${streamId}: expected revision ${String(expected)}, actual ${String(actual)}`, options);
  }
}

/** An event id already stored with other content, or in another stream (409). */
export class EventIdConflictError extends AppError {
  readonly type = 'event-id-conflict' as const;
  readonly status = 409;
  constructor(
    readonly eventId: string,
    readonly streamId: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(`event ${eventId} in stream ${streamId}: ${reason}`, options);
  }
}

export class UnauthenticatedError extends AppError {
  readonly type = 'unauthenticated' as const;
  readonly status = 401;
}

export class ForbiddenError extends AppError {
  readonly type = 'forbidden' as const;
  readonly status = 403;
  constructor(
    message: string,
    /** A short, stable name of the rule that refused (`role`, `csrf`, `operator-not-caller`). */
    readonly rule: string = 'forbidden',
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * Too many failed logins for an account or a source address (`too-many-attempts`), or too many of
 * something held open, such as live streams (`too-many-streams`): 429 with Retry-After.
 */
export class TooManyAttemptsError extends AppError {
  readonly type: 'too-many-attempts' | 'too-many-streams' = 'too-many-attempts';
  readonly status = 429;
  constructor(
    message: string,
    /** Seconds until the lock lifts. */
    readonly retryAfterSeconds: number,
    options?: ErrorOptions & { type?: 'too-many-attempts' | 'too-many-streams' },
  ) {
    super(message, options);
    if (options?.type) this.type = options.type;
  }
}

export type KnownError =
  | ValidationError
  | NotFoundError
  | IllegalStateError
  | WrongExpectedRevisionError
  | EventIdConflictError
  | UnauthenticatedError
  | ForbiddenError
  | TooManyAttemptsError;

export const isKnownError = (error: unknown): error is KnownError => error instanceof AppError;
