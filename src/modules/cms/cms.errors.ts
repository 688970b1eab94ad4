/** CMS-specific typed errors, mapped to problem+json at the edge like every DomainError. */
import { DomainError } from '../../platform/errors.ts';

/** The caller's version of the contact is not the current one: someone else changed it first. Nothing changed. */
export class StaleVersionError extends DomainError {
  readonly status = 409;
  readonly type = 'stale-version';
  constructor(currentVersion: number) {
    super(
      `This contact has changed since you loaded it (it is now at version ${currentVersion}); reload it and try again. Nothing was changed.`,
      { current_version: currentVersion },
    );
  }
}

/** The action is not allowed from the contact's status; the message says why and what can be done instead. */
export class IllegalTransitionError extends DomainError {
  readonly status = 409;
  readonly type = 'illegal-transition';
  constructor(message: string, status: string, action: string) {
    super(message, { contact_status: status, action });
  }
}

/** An action on a contact needs its version (If-Match or `version`). */
export class PreconditionRequiredError extends DomainError {
  readonly status = 428;
  readonly type = 'precondition-required';
  constructor() {
    super(
      'Say which version of the contact you are acting on: send If-Match: "<version>" (the ETag of GET /contacts/{reference}) or a "version" field.',
    );
  }
}

/** The same Idempotency-Key was used earlier with a different request. */
export class IdempotencyKeyReusedError extends DomainError {
  readonly status = 422;
  readonly type = 'idempotency-key-reused';
  constructor(reference: string) {
    super(
      `This Idempotency-Key was already used for a different request (it created ${reference}); use a new key for a new contact.`,
      { reference },
    );
  }
}
