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
   * the two are indistinguishable. A DMSP's or MRA's portfolio is the supply points it is appointed to today
   * (domain.md §2; the appointments directory).
   */
  findVisibleSite(actor: Actor, mprn: string): Promise<SiteInfo | null>;
  /**
   * Whether the MPRN is on the register as customers see it (D-1), whoever's it is: for codes without a portfolio
   * check (UNC). Says nothing else about the site.
   */
  mprnExists(mprn: string): Promise<boolean>;
}

/** A site lookup for a process with no register: every MPRN is unknown, so portfolio-checked codes are refused. */
export const noRegister: SiteLookup = { findVisibleSite: async () => null, mprnExists: async () => false };

/**
 * The DES as the contact page shows and links it: the supply point page, only where the actor may open it (DES
 * permission and the DES visibility rule, as the page itself applies them: never a link that answers 404), and what
 * the register's codes mean (to show a snapshot in words).
 */
export interface SupplyPointPages {
  /** The DES page of the supply point when `actor` may see it there; null otherwise. Not an enquiry. */
  supplyPointHref(actor: Actor, mprn: string): Promise<string | null>;
  /** The meanings of the register's coded values, by register field (e.g. meter_point_status: { LI: 'Live' }). */
  codeMeanings(): Promise<Record<string, Record<string, string>>>;
}

/** For a process with no DES pages: no links, codes shown as they are. */
export const noSupplyPointPages: SupplyPointPages = {
  supplyPointHref: async () => null,
  codeMeanings: async () => ({}),
};

/**
 * Register values for the CMS's own checks (no actor: the CMS shows nobody the values, only whether a resolved
 * contact's expected register change has reached the register). Filled from the DES module's RegisterValuesService.
 */
export interface RegisterValues {
  /** The label of each register field a resolver may name as an expected change. */
  fieldLabels(): ReadonlyMap<string, string>;
  /** The named fields of each MPRN as the register stands on `asAt`; MPRNs not on the register are left out. */
  valuesAt(
    mprns: readonly string[],
    fields: readonly string[],
    asAt: string,
  ): Promise<Map<string, Record<string, string | null>>>;
}

/** No register: no field can be named, so no expected register change is offered. */
export const noRegisterValues: RegisterValues = {
  fieldLabels: () => new Map(),
  valuesAt: async () => new Map(),
};

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
