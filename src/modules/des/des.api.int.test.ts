import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appPerSuite, makeOrgWithToken } from '../../../test/support/factories.ts';
import { csv, postCsv, registerRows } from '../../../test/support/des.ts';

describe('DES load API', () => {
  const t = appPerSuite();
  let admin: string;
  let customer: string;
  before(async () => {
    admin = (await makeOrgWithToken(t.services, { type: 'cdsp', roles: ['cdsp_admin'] })).token;
    customer = (await makeOrgWithToken(t.services, { type: 'shipper', roles: ['des_user'] })).token;
  });

  /** `POST /api/v1/des/loads?<query>` with a CSV body. */
  const postLoad = (token: string, query: string, payload: string) =>
    postCsv(t.app, token, `/api/v1/des/loads?${query}`, payload);

  test('POST /api/v1/des/loads with a text/csv body runs the load (no queue: at once) and reports it', async () => {
    const body = csv(registerRows(20, 41, '2026-02-27'));
    const res = await postLoad(admin, 'business_date=2026-02-27', body);
    assert.equal(res.statusCode, 202, res.body);
    const load = res.json();
    assert.equal(load.status, 'applied');
    assert.equal(load.inserted, 20);
    assert.equal(res.headers.location, `/api/v1/des/loads/${load.id}`);
    const got = await t.app.inject({
      url: res.headers.location as string,
      headers: { authorization: `Bearer ${admin}` },
    });
    assert.equal(got.json().rows_read, 20);

    // The same file again: a duplicate, nothing changes.
    const again = await postLoad(admin, 'business_date=2026-02-27', body);
    assert.equal(again.json().status, 'duplicate');
    assert.equal(again.json().unchanged, 20);
  });

  test('multipart upload; rejects report; refused files are recorded with their reason', async () => {
    const rows = registerRows(3, 42, '2026-02-28');
    rows[1]!['postcode'] = 'NOT A POSTCODE';
    const boundary = 'x-boundary-123';
    const payload =
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="day.csv"\r\n` +
      `Content-Type: text/csv\r\n\r\n${csv(rows)}\r\n--${boundary}--\r\n`;
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/des/loads?business_date=2026-02-28&strict_check_digits=true',
      headers: {
        authorization: `Bearer ${admin}`,
        'content-type': `multipart/form-data; boundary=${boundary}`,
      },
      payload,
    });
    assert.equal(res.statusCode, 202, res.body);
    assert.equal(res.json().file_name, 'day.csv');
    assert.equal(res.json().rejected, 1);
    const report = await t.app.inject({
      url: res.json().rejects_url,
      headers: { authorization: `Bearer ${admin}` },
    });
    assert.equal(report.statusCode, 200);
    assert.match(report.headers['content-type'] as string, /text\/csv/);
    assert.match(report.body, /^row_number,mprn,field,severity,reason\r\n3,\d+,postcode,error,/);

    const refused = await postLoad(admin, 'business_date=2026-02-28', 'mprn,colour\n741234509,red\n');
    assert.equal(refused.statusCode, 202);
    assert.equal(refused.json().status, 'refused');
    assert.match(refused.json().message, /unknown column 'colour'/);

    const future = await postLoad(admin, 'business_date=2099-01-01', csv(rows));
    assert.equal(future.statusCode, 202);
    assert.equal(future.json().status, 'refused');
    assert.match(future.json().message, /in the future/);
  });

  test('loading needs des:load; the routes are in the OpenAPI document', async () => {
    const res = await postLoad(customer, 'business_date=2026-02-27', 'mprn\n741234509\n');
    assert.equal(res.statusCode, 403);
    const bad = await postLoad(admin, 'business_date=yesterday', 'mprn\n741234509\n');
    assert.equal(bad.statusCode, 400);
    const doc = (await t.app.inject({ url: '/api/openapi.json' })).json();
    const post = doc.paths['/api/v1/des/loads']?.post;
    assert.ok(post, Object.keys(doc.paths).join(', '));
    assert.ok(post.parameters.some((p: { name: string }) => p.name === 'business_date'));
    assert.ok(post.responses['202']);
    assert.ok(doc.paths['/api/v1/des/loads/{id}/rejects']?.get);
  });
});
