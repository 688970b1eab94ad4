/**
 * CMS factories: contacts, requests and webhooks made through the real API (so every one is routed, audited and on
 * the SLA clock), with valid, deterministic defaults and overrides. Supply points come from `addSite` (test/support/
 * cms.ts), which loads them through the real DES load path.
 */
import type { Api } from '../cms.ts';

/** Valid ADD (Address Amendment) fields, as a raiser types them (the postcode is normalised on the way in). */
export const ADD_FIELDS = {
  house_no: '12',
  street: 'High Street',
  town: 'Leeds',
  postcode: 'ls1 4ap',
  amendment_reason: 'INCORRECT',
};

/** Valid fields of a GSR (a gas transporter's shipperless/registered-site report), visited 27 February 2026. */
export const GSR_FIELDS = {
  notice_reference: 'GSR-1',
  situation_category: 'ID',
  action_taken: 'CAPPED',
  visit_date: '2026-02-27',
  gas_escape: 'yes',
  details: 'Capped at the meter',
};

/** A GSR as its gas transporter raises it (add the MPRN of a site on the transporter's network). */
export const GSR_CONTACT = { code: 'GSR', description: 'Gas escape, supply capped', fields: GSR_FIELDS };

export const CONTACT_DEFAULTS = {
  code: 'ADD',
  description: 'The registered address is wrong',
  fields: { ...ADD_FIELDS, postcode: 'LS1 4AP' } as Record<string, unknown>,
};

async function created<T>(
  what: string,
  res: { statusCode: number; body: string; json(): unknown },
): Promise<T> {
  if (res.statusCode !== 201) throw new Error(`${what} was not created: ${res.statusCode} ${res.body}`);
  return res.json() as T;
}

/** A contact raised by `api`'s user (an ADD about `mprn` unless overridden). */
export async function makeContact(
  api: Api,
  mprn: string | null,
  over: Partial<{
    code: string;
    description: string;
    raiser_reference: string;
    fields: Record<string, unknown>;
  }> = {},
) {
  const res = await api('POST', '/contacts', { body: { ...CONTACT_DEFAULTS, mprn, ...over } });
  return created<{ reference: string; version: number; status: string; due_date: string }>(
    'the contact',
    res,
  );
}

/** A two-way request sent by CDSP staff (`cdspApi`): a DCR about a contact, or to an organisation about an MPRN. */
export async function makeRequest(
  cdspApi: Api,
  about: { contact_reference: string } | { to: string; mprn: string; response_business_days?: number },
  over: Partial<{ type: string; subject: string; body: string }> = {},
) {
  const res = await cdspApi('POST', '/requests', {
    body: {
      type: 'DCR',
      subject: 'Please confirm the meter serial number',
      body: 'Our records disagree with the latest read.',
      ...('to' in about ? { response_business_days: 5, ...about } : about),
      ...over,
    },
  });
  return created<{ reference: string; version: number; status: string; response_due_date: string }>(
    'the request',
    res,
  );
}

let hooks = 0;
/** A webhook of `api`'s organisation (all events unless given); returns it with its signing secret. */
export async function makeWebhook(api: Api, over: Partial<{ url: string; events: string[] }> = {}) {
  const res = await api('POST', '/webhooks', {
    body: { url: `https://hooks.test.example/cms/${++hooks}`, ...over },
  });
  return created<{ id: string; url: string; events: string[]; secret: string }>('the webhook', res);
}
