/**
 * Typed domain errors. Services throw these; they are mapped once at the edge (problem+json for the API,
 * an error page or re-rendered form for the web). Never a stack trace to the user.
 */
export abstract class DomainError extends Error {
  abstract readonly status: number;
  abstract readonly type: string;
  readonly title: string;
  constructor(
    message: string,
    public readonly extras: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
    this.title = message;
  }
}

export interface FieldError {
  field: string;
  message: string;
}

export class ValidationError extends DomainError {
  readonly status = 400;
  readonly type = 'validation';
  constructor(
    message: string,
    public readonly errors: FieldError[] = [],
  ) {
    super(message, { errors });
  }
}

/**
 * The base of an error that has only a status, a problem type and a default message. Each subclass below keeps
 * its own name, so `instanceof` and `err.name` work as for a hand-written class.
 */
function simpleError<S extends number, T extends string>(status: S, type: T, defaultMessage: string) {
  return class extends DomainError {
    readonly status = status;
    readonly type = type;
    constructor(message = defaultMessage) {
      super(message);
    }
  };
}

/** Also used for anything outside the caller's organisation or portfolio: indistinguishable from absent. */
export class NotFoundError extends simpleError(404, 'not-found', 'Not found') {}

export class UnauthenticatedError extends simpleError(401, 'unauthenticated', 'Authentication required') {}

export class ForbiddenError extends simpleError(403, 'forbidden', 'You do not have permission to do that') {}

export class ConflictError extends DomainError {
  readonly status = 409;
  readonly type = 'conflict';
}

export class TooManyRequestsError extends DomainError {
  readonly status = 429;
  readonly type = 'too-many-requests';
  constructor(
    message: string,
    public readonly retryAfterSeconds: number,
  ) {
    super(message, { retry_after_seconds: retryAfterSeconds });
  }
}
