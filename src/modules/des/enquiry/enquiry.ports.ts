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
