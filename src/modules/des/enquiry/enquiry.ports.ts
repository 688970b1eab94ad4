/**
 * What the DES enquiry pages need from other modules, as small interfaces the composition root fills
 * (src/composition.ts). The DES never imports another module's internals.
 */
import type { Actor } from '../../identity/index.ts';

/** A contact about a supply point, as the supply point page lists it. */
export interface SupplyPointContact {
  reference: string;
  /** The contact's page. */
  href: string;
  code: string;
  code_name: string;
  status_label: string;
  /** ISO instant. */
  raised_at: string;
}

/** The contacts (CMS) about a supply point, as the DES supply point page shows them. */
export interface SupplyPointContacts {
  /**
   * The newest contacts on `mprn` the viewer may see (its own organisation's side of them only: another
   * organisation's contacts are never listed), whether there are more, and where all of them are listed.
   */
  about(
    actor: Actor,
    mprn: string,
  ): Promise<{ items: SupplyPointContact[]; more: boolean; listHref: string }>;
  /** Where the viewer raises a contact about the supply point; null when it may raise none. */
  raiseHref(actor: Actor, mprn: string): Promise<string | null>;
}

/** For a process with no contacts: nothing listed, nothing offered. */
export const noContacts: SupplyPointContacts = {
  about: async () => ({ items: [], more: false, listHref: '' }),
  raiseHref: async () => null,
};

/**
 * The names of the industry's organisations by short code (identity's organisations, through the composition root),
 * so the pages show "Meridian Energy Shipping (MES)" for a party code. A name is public industry knowledge; the pages
 * look up only the codes of fields the viewer already sees.
 */
export interface OrganisationNames {
  /** Short code → name, for every organisation the portal knows. */
  names(): Promise<ReadonlyMap<string, string>>;
}

/** For a process that knows no organisations: codes are shown as they are. */
export const noOrganisationNames: OrganisationNames = { names: async () => new Map() };
