/**
 * What the batch-files module needs from other modules, as small interfaces filled by the composition root
 * (src/composition.ts). It never imports another module's repository or tables.
 */
import type { ContactChangeView } from '../cms/index.ts';
import type { Actor } from '../identity/index.ts';

/** What a file record asks the CMS for: exactly the online raise request (RaiseInput of the CMS). */
export interface RaiseRequest {
  code: string;
  mprn: string | null;
  raiser_reference: string;
  description: string;
  fields: Record<string, string>;
  idempotencyKey: string;
}

/**
 * The CMS's online raise service (`cms.contacts.raise`): the same rules, messages, routing, SLA, audit and
 * webhooks as a contact raised on the web or the API. Refusals are thrown as the CMS throws them (DomainErrors).
 * A request with an Idempotency-Key already used for the same request answers the contact it created.
 */
export interface ContactRaiser {
  raise(actor: Actor, input: RaiseRequest): Promise<{ contact: { reference: string }; replayed: boolean }>;
}

/** Users as the command line acts for them (`cdsp cms import --email`). */
export interface UserLookup {
  /** The actor of an active user with that email, with their roles as they are now; null when there is none. */
  actorByEmail(email: string): Promise<Actor | null>;
}

/** One change to a contact, as the daily update file reports it (U01): the CMS's view of a change. */
export type ContactChange = ContactChangeView;

/** The CMS's record of contact changes, for the daily update files. */
export interface ContactChanges {
  /**
   * The changes in [from, to) to contacts the organisation raised or that are routed to it, oldest first, as that
   * organisation may see them (internal notes of the other side never).
   */
  changesFor(organisationId: string, from: Date, to: Date): Promise<ContactChange[]>;
}

/** The organisations that receive daily update files (every organisation with CMS contacts). */
export interface UpdateRecipients {
  organisations(): Promise<{ id: string; shortCode: string }[]>;
}
