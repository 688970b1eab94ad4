/**
 * Test support for the batch-files tests: contact files built as the format says (docs/formats/cms-files.md), an
 * organisation with a CMS user and a cms:write token in the CMS test app, and the API calls a test makes.
 */
import type { LightMyRequestResponse } from 'fastify';
import { inScope, SYSTEM_SCOPE } from '../../src/platform/db/scope.ts';
import { createCmsTestApp, type CmsTestApp } from './cms.ts';
import { makeApiKey, makeOrg, makeUser, TEST_PASSWORD } from './factories.ts';
import { signInAndEnrol, type WebClient } from './web-client.ts';

export interface Shipper {
  org: { id: string; shortCode: string };
  email: string;
  token: string;
}

/** A shipper organisation (of the given short code, or the next factory code) with a CMS user and a cms:write token. */
export async function shipper(t: CmsTestApp, shortCode?: string): Promise<Shipper> {
  const org = await makeOrg(t.services, { type: 'shipper', ...(shortCode ? { shortCode } : {}) });
  const user = await makeUser(t.services, { orgShortCode: org.shortCode, roles: ['cms_user'] });
  const key = await makeApiKey(t.services, user.email, { scopes: ['cms:write'] });
  return { org: { id: org.id, shortCode: org.shortCode }, email: user.email, token: key.token };
}

/** A new shipper organisation with a CMS user signed in to the web pages (enrolled in two-step sign-in). */
export async function signedInShipper(
  t: CmsTestApp,
): Promise<{ org: { id: string; shortCode: string }; email: string; web: WebClient }> {
  const org = await makeOrg(t.services, { type: 'shipper' });
  const user = await makeUser(t.services, {
    orgShortCode: org.shortCode,
    roles: ['cms_user'],
    password: TEST_PASSWORD,
  });
  const { client } = await signInAndEnrol(t.app, t.clock, user.email, TEST_PASSWORD);
  return { org: { id: org.id, shortCode: org.shortCode }, email: user.email, web: client };
}

/** A valid ENQ contact (no MPRN: routed to the CDSP service desk) as C01 and C02 lines. */
export function enquiryLines(ref: string, i: number): string[] {
  return [
    `C01,${ref},ENQ,,"Enquiry ${i}, about reads"`,
    `C02,${ref},subject,Enquiry ${i}`,
    `C02,${ref},enquiry_category,REGISTER_DATA`,
    `C02,${ref},details,"Line one\nline two of enquiry ${i}"`,
  ];
}

/**
 * A contact file of `count` contacts from `sender` with sequence `seq`; every 100th contact (i % 100 === 50) is
 * invalid by an online rule: in turn an unknown code, a missing required field, an MPRN that is not an MPRN.
 */
export function contactFile(
  sender: string,
  seq: number,
  count: number,
): { text: string; invalid: Set<number> } {
  const lines = [`A00,CMS_CONTACTS,${sender},${seq},2026-03-02T09:00:00`];
  const invalid = new Set<number>();
  for (let i = 1; i <= count; i++) {
    const ref = `R${seq}-${String(i).padStart(6, '0')}`;
    if (i % 100 !== 50) {
      lines.push(...enquiryLines(ref, i));
      continue;
    }
    invalid.add(i);
    const kind = Math.floor(i / 100) % 3;
    if (kind === 0) lines.push(`C01,${ref},NOPE,,Not a code`);
    else if (kind === 1)
      lines.push(`C01,${ref},ENQ,,No subject`, `C02,${ref},enquiry_category,OTHER`, `C02,${ref},details,x`);
    else lines.push(`C01,${ref},ADD,12ab,Bad MPRN`);
  }
  lines.push(`Z99,${count}`);
  return { text: lines.join('\r\n') + '\r\n', invalid };
}

export function postFile(
  t: CmsTestApp,
  token: string,
  body: string | Buffer,
): Promise<LightMyRequestResponse> {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/contact-files',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
    payload: body,
  });
}

export function getAs(t: CmsTestApp, token: string, url: string): Promise<LightMyRequestResponse> {
  return t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
}

/** Contacts raised by an organisation: reference, raiser reference, code, description (ordered by reference). */
export async function contactsOf(t: CmsTestApp, organisationId: string) {
  return inScope(t.database.db, SYSTEM_SCOPE, (trx) =>
    trx
      .selectFrom('cms.contacts')
      .select(['reference', 'raiser_reference', 'code', 'description', 'mprn', 'status'])
      .where('raiser_org_id', '=', organisationId)
      .orderBy('reference')
      .execute(),
  );
}

export { createCmsTestApp, type CmsTestApp };
