/**
 * What the CMS needs from other modules, as small interfaces injected by the composition root (src/composition.ts).
 * The CMS never imports another module's repository or tables.
 */
import type { SiteSummary } from '../des/index.ts';
import type { Actor, DirectoryUser, OrganisationView } from '../identity/index.ts';

/**
 * A supply point as the CMS needs it: enough to check rules (RFA class/AQ) and to route by register party
 * (appointed parties are null where the register records none: then nothing can be routed to them).
 */
export type SiteInfo = SiteSummary;

/** The DES register as seen by the CMS. */
export interface SiteLookup {
  /**
   * The supply point if it is in the actor's portfolio (as at D-1); null when it is not, or does not exist:
   * the two are indistinguishable.
   */
  findVisibleSite(actor: Actor, mprn: string): Promise<SiteInfo | null>;
}

/** A site lookup for a process with no register: every MPRN is unknown, so portfolio-checked codes are refused. */
export const noRegister: SiteLookup = { findVisibleSite: async () => null };

/** An organisation as the CMS needs it (routing and display): the identity module's view, without the tree. */
export type DirectoryOrganisation = Omit<OrganisationView, 'parentId'>;

/** A user as the CMS needs them (assignment, notification addresses): the identity module's directory user. */
export type { DirectoryUser };

/** Organisations and users, as the CMS needs them (routing, assignment, notification addresses). */
export interface Directory {
  organisations(): Promise<DirectoryOrganisation[]>;
  /** A user of one of the given organisations, by id or email; null otherwise. */
  findUser(organisationIds: readonly string[], idOrEmail: string): Promise<DirectoryUser | null>;
  /** Active users of an organisation holding any of the given roles (for team notifications). */
  usersWithRoles(organisationId: string, roles: readonly string[]): Promise<DirectoryUser[]>;
}

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

/**
 * An email to send once the transaction has committed: to a user, or to the users of an organisation holding some
 * roles. Addresses are looked up after the commit (never inside the change's transaction).
 */
export interface MailIntent {
  to: { userId: string; organisationId: string } | { organisationId: string; roles: readonly string[] };
  subject: string;
  text: string;
}

/** Outgoing email (the identity module's mailer: SMTP, or the local outbox). */
export interface CmsMailer {
  send(message: MailMessage): Promise<void>;
}

/** One resolved address of a host name. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to all its addresses (A and AAAA); rejects when it has none. Webhook targets use it. */
export type WebhookResolver = (hostname: string) => Promise<ResolvedAddress[]>;

/**
 * Posts one webhook request to `url`, connecting to `address` (the address the target check passed: never a fresh
 * DNS answer); resolves with the HTTP status, rejects on a network error or timeout. Follows no redirects.
 */
export type WebhookTransport = (
  url: string,
  request: { headers: Record<string, string>; body: string; address: ResolvedAddress },
) => Promise<{ status: number }>;
