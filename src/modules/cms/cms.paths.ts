/**
 * Typed paths of the CMS pages. Templates get them as `cmsPaths` (and `cmsAdminPaths`); routes register their
 * patterns through the same functions (`cmsPaths.contact(':reference')`), so a link and its route cannot drift.
 */

/** The catalogue and request pages. */
export const cmsAdminPaths = {
  codes: '/contacts/codes',
  code: (code: string) => `/contacts/codes/${code}`,
  requests: '/contacts/requests',
  newRequest: '/contacts/requests/new',
  newRequestAbout: (contactReference: string) =>
    `/contacts/requests/new?contact=${encodeURIComponent(contactReference)}`,
  request: (reference: string) => `/contacts/requests/${reference}`,
  requestRespond: (reference: string) => `/contacts/requests/${reference}/respond`,
  requestAssign: (reference: string) => `/contacts/requests/${reference}/assign`,
  /** Raises refused because nobody could be routed to (the CDSP operator's list). */
  unroutable: '/contacts/unroutable',
} as const;

export const cmsPaths = {
  contacts: '/contacts',
  contactsExport: '/contacts/export.csv',
  raise: '/contacts/new',
  raiseCode: (code: string) => `/contacts/new/${code}`,
  contact: (reference: string) => `/contacts/${reference}`,
  contactActions: (reference: string) => `/contacts/${reference}/actions`,
  contactNotes: (reference: string) => `/contacts/${reference}/notes`,
  contactAttachments: (reference: string) => `/contacts/${reference}/attachments`,
  attachment: (reference: string, id: string) => `/contacts/${reference}/attachments/${id}`,
  contactEvidence: (reference: string) => `/contacts/${reference}/evidence.zip`,
  ...cmsAdminPaths,
} as const;
