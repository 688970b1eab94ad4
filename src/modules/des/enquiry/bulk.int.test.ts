/**
 * Bulk enquiry: 10,000 MPRNs, a third of them outside the portfolio, return exactly the visible rows (CSV and XLSX);
 * bad rows are reported, not fatal; the job handler is idempotent; results expire after 7 days; another
 * organisation cannot read a job.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { makeOrg, makeUser, TEST_ACTOR } from '../../../../test/support/factories.ts';
import { readCsv } from '../register/index.ts';
import { postCsv } from '../../../../test/support/des.ts';
import { createEnquiryTestApp, D1, type EnquiryTestApp } from '../../../../test/support/des-enquiry.ts';
import { BULK_COLUMNS, handleBulkEnquiryJob } from './index.ts';

async function rowsOf(csv: string): Promise<string[][]> {
  const out: string[][] = [];
  for await (const r of readCsv([Buffer.from(csv)])) out.push(r.fields);
  return out;
}

describe('bulk enquiry', () => {
  let t: EnquiryTestApp;
  let groupToken: string;
  let children: string[];
  before(async () => {
    t = await createEnquiryTestApp({ supplyPoints: 10_000, dates: ['2026-03-03'] });
    // A group parent whose children are shippers holding about two thirds of the register (the generator weights
    // its shippers, so pick the children whose share leaves closest to a third outside).
    const counts = new Map<string, number>();
    for (const r of t.stateOn(D1).values()) {
      counts.set(r['shipper_short_code']!, (counts.get(r['shipper_short_code']!) ?? 0) + 1);
    }
    const codes = [...counts.keys()];
    const subsets = codes.flatMap((c, i) => [[c], ...codes.slice(i + 1).map((d) => [c, d])]);
    const share = (sub: string[]) => sub.reduce((n, c) => n + counts.get(c)!, 0) / 10_000;
    children = subsets.sort((x, y) => Math.abs(share(x) - 2 / 3) - Math.abs(share(y) - 2 / 3))[0]!;
    const parent = await makeOrg(t.services, { shortCode: 'GRP', type: 'shipper', name: 'Group parent' });
    for (const code of children) {
      await t.database.db
        .updateTable('identity.organisations')
        .set({ parent_id: parent.id })
        .where('short_code', '=', code)
        .execute();
    }
    // A user of the parent with the group grant (without it, the children's supply points are not visible).
    const user = await t.services.identity.createUser(
      {
        organisationShortCode: 'GRP',
        email: 'group-bulk@test.example',
        name: 'Group bulk user',
        roles: ['des_user', 'des_bulk'],
        groupVisibility: true,
      },
      TEST_ACTOR,
    );
    groupToken = (
      await t.services.identity.createToken({ email: user.email, label: 't', scopes: null }, TEST_ACTOR)
    ).token;
    await t.services.desEnquiry.enquiry.assignBand(parent.id, 'unlimited', 'test');
  });
  after(() => t.cleanup());

  test('10,000 MPRNs, a third outside the portfolio: exactly the visible rows, per-MPRN outcome', async () => {
    const state = [...t.stateOn(D1).values()];
    assert.equal(state.length, 10_000);
    const visible = new Set(
      state.filter((r) => children.includes(r['shipper_short_code']!)).map((r) => r['mprn']!),
    );
    const outside = state.length - visible.size;
    assert.ok(outside > 2_800 && outside < 3_900, `about a third outside (${outside})`);
    const lines = ['mprn', ...state.map((r) => r['mprn']!), 'not-an-mprn', '12', state[0]!['mprn']!];
    const res = await postCsv(t.app, groupToken, '/api/v1/des/bulk-enquiries', lines.join('\r\n') + '\r\n');
    assert.equal(res.statusCode, 202, res.body);
    const job = res.json();
    assert.equal(job.status, 'done');
    assert.equal(job.mprns, 10_000);
    assert.equal(job.found, visible.size);
    assert.equal(job.not_found, outside);
    assert.equal(job.invalid_count, 3);
    assert.deepEqual(
      job.invalid_rows.map((r: { row: number }) => r.row),
      [10_002, 10_003, 10_004],
    );
    assert.equal(job.as_at, D1);

    const csv = await t.api(groupToken, `/api/v1/des/bulk-enquiries/${job.id}/results.csv`);
    assert.equal(csv.statusCode, 200);
    const rows = await rowsOf(csv.body);
    assert.deepEqual(rows[0], BULK_COLUMNS);
    const body = rows.slice(1);
    assert.equal(body.length, 10_000);
    const found = body.filter((r) => r[1] === 'found').map((r) => r[0]);
    assert.deepEqual(new Set(found), visible, 'exactly the visible rows');
    const shipperCol = BULK_COLUMNS.indexOf('shipper_short_code');
    for (const r of body) {
      if (r[1] === 'not found')
        assert.ok(
          r.slice(2).every((c) => c === ''),
          `no data for ${r[0]}`,
        );
      else assert.ok(children.includes(r[shipperCol]!));
    }

    const xlsx = await t.api(groupToken, `/api/v1/des/bulk-enquiries/${job.id}/results.xlsx`);
    assert.equal(xlsx.statusCode, 200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    assert.equal(ws.rowCount, 10_001);
    let xlsxFound = 0;
    ws.eachRow((row, n) => {
      if (n > 1 && row.getCell(2).value === 'found') xlsxFound++;
    });
    assert.equal(xlsxFound, visible.size);

    // Idempotent handler: running it again changes nothing.
    await handleBulkEnquiryJob(t.services.desEnquiry.bulkDeps, { jobId: job.id });
    const again = await t.api(groupToken, `/api/v1/des/bulk-enquiries/${job.id}/results.csv`);
    assert.equal(again.body, csv.body);

    // Another organisation cannot see the job or its results.
    const other = t.orgs.find((o) => o.type === 'shipper' && !children.includes(o.shortCode))!;
    const theirs = await t.api(other.token, `/api/v1/des/bulk-enquiries/${job.id}`);
    assert.equal(theirs.statusCode, 404);
    assert.equal(
      (await t.api(other.token, `/api/v1/des/bulk-enquiries/${job.id}/results.csv`)).statusCode,
      404,
    );

    // Results are kept 7 days; the cleanup job removes them after.
    t.clock.advance(8 * 86_400_000);
    try {
      assert.equal(await t.services.desEnquiry.bulk.cleanup(), 1);
    } finally {
      t.clock.advance(-8 * 86_400_000);
    }
    assert.equal((await t.api(groupToken, `/api/v1/des/bulk-enquiries/${job.id}`)).statusCode, 404);
  });

  test('a file with no MPRNs, or more than 100,000, is refused whole', async () => {
    const post = (payload: string) => postCsv(t.app, groupToken, '/api/v1/des/bulk-enquiries', payload);
    assert.equal((await post('mprn\nabc\n')).statusCode, 400);
    assert.equal((await post('')).statusCode, 400);
    const big = Array.from({ length: 100_001 }, (_, i) => String(1_000_000 + i)).join('\n');
    const res = await post(big);
    assert.equal(res.statusCode, 400);
    assert.match(res.json().title, /more than 100,000/);
  });

  test('the des:bulk permission is needed', async () => {
    const org = t.orgs[0]!;
    const user = await makeUser(t.services, { orgShortCode: org.shortCode, roles: ['des_user'] });
    const token = (
      await t.services.identity.createToken({ email: user.email, label: 't', scopes: null }, TEST_ACTOR)
    ).token;
    const res = await postCsv(t.app, token, '/api/v1/des/bulk-enquiries', 'mprn\n1234567\n');
    assert.equal(res.statusCode, 403);
  });
});
