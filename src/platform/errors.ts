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

/** Also used for anything outside the caller's organisation or portfolio: indistinguishable from absent. */
export class NotFoundError extends DomainError {
  readonly status = 404;
  readonly type = 'not-found';
  constructor(message = 'Not found') {
    super(message);
  }
}

export class UnauthenticatedError extends DomainError {
  readonly status = 401;
  readonly type = 'unauthenticated';
  constructor(message = 'Authentication required') {
    super(message);
  }
}

export class ForbiddenError extends DomainError {
  readonly status = 403;
  readonly type = 'forbidden';
  constructor(message = 'You do not have permission to do that') {
    super(message);
  }
}

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
