/**
 * UNC's Shipperless and Unregistered sites end to end (issue 10): the register load's two extension columns
 * (accepted, and bad ones rejected per row), DES visibility for the last shipper of a shipperless site and the
 * interested shipper of an unregistered one (marked, without portfolio-only fields of a period not theirs; another
 * shipper gets exactly "not found"), and CMS routing of GSR and MUS to them, refused with a clear reason where the
 * register names no party. Every register value comes through the real loader.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeOrg, makeUser, TEST_PASSWORD } from '../../../test/support/factories.ts';
import { signInAndEnrol } from '../../../test/support/web-client.ts';
import {
  addSite,
  apiAs,
  createCmsTestApp,
  nextMprn,
  REGISTER_DATE,
  userWithToken,
  type Api,
  type CmsTestApp,
} from '../../../test/support/cms.ts';
import { makeSupplyPoints } from '../../../test/support/factories/des.ts';
import { readCsv, toCsvLine } from './register/index.ts';

const NETWORK = 'Net S&U';
const EARLIER = '2026-02-26'; // the day before REGISTER_DATE (D-1 is 2026-03-01)

describe('shipperless and unregistered sites', () => {
  let t: CmsTestApp;
  const api: Record<string, Api> = {};
  let shipperless: string; // LSA's until EARLIER, shipperless (last shipper LSA) from REGISTER_DATE
  let unregistered: string; // never registered; ISA asked for it
  let nobody: string; // no shipper, and the register names no last or interested shipper
  let registered: string; // registered to OSB, LSA recorded as an (earlier) last shipper: OSB's site
  const absent = nextMprn();
  let loadNo = 0;

  async function load(rows: Record<string, string>[], businessDate: string, columns?: string[]) {
    const cols = columns ?? Object.keys(rows[0]!);
    const path = join(t.dir, `su-${++loadNo}.csv`);
    writeFileSync(
      path,
      toCsvLine(cols, '\n') +
        rows
          .map((r) =>
            toCsvLine(
              cols.map((c) => r[c] ?? ''),
              '\n',
            ),
          )
          .join(''),
    );
    const summary = await t.services.des.loads.load({
      path,
      businessDate,
      actor: { userId: null, label: 'su-test', organisationId: null },
      source: 'cli',
    });
    const lines = [];
    for await (const r of readCsv([readFileSync(summary.rejectsPath, 'utf8')])) lines.push(r);
    const rejects = lines
      .slice(1)
      .map((r) => r.fields)
      .filter((f) => f[3] === 'error')
      .map((f) => ({ mprn: f[1], field: f[2], reason: f[4] }));
    return { summary, rejects };
  }

  before(async () => {
    t = await createCmsTestApp();
    for (const code of ['LSA', 'ISA', 'OSB']) await makeOrg(t.services, { type: 'shipper', shortCode: code });
    const gt = await makeOrg(t.services, { type: 'gt', networkName: NETWORK });
    await makeOrg(t.services, { type: 'gt', networkName: 'Another network' });
    for (const code of ['LSA', 'ISA', 'OSB', gt.shortCode]) {
      api[code] = apiAs(t, (await userWithToken(t, code, ['des_user', 'cms_user'])).token);
    }
    api['GT'] = api[gt.shortCode]!;
    api['CDSP'] = apiAs(t, (await userWithToken(t, t.cdsp.shortCode, ['des_user', 'cms_user'])).token);

    // LSA's period, with its portfolio-only fields; then shipperless with LSA as the last shipper.
    const [base] = makeSupplyPoints(1, { seed: 5 });
    const lsaPeriod = {
      ...base!,
      mprn: nextMprn(),
      network_name: NETWORK,
      shipper_short_code: 'LSA',
      last_shipper_short_code: '',
      interested_shipper_short_code: '',
      confirmation_reference_number: '31415926',
      meter_model: 'LSA-MODEL',
      meter_point_status: 'LI',
    };
    shipperless = lsaPeriod.mprn;
    assert.equal((await load([lsaPeriod], EARLIER)).summary.rejected, 0);
    const { summary } = await load(
      [
        {
          ...lsaPeriod,
          shipper_short_code: '',
          shipper_name: '',
          supply_point_withdrawal_status: 'Withdrawn',
          last_shipper_short_code: 'LSA',
          confirmation_reference_number: '',
          meter_model: 'SU-MODEL',
        },
      ],
      REGISTER_DATE,
    );
    assert.equal(summary.rejected, 0);
    assert.equal(summary.changed, 1);

    unregistered = await addSite(t, {
      shipper_short_code: '',
      interested_shipper_short_code: 'ISA',
      network_name: NETWORK,
    });
    nobody = await addSite(t, { shipper_short_code: '', network_name: NETWORK });
    registered = await addSite(t, { shipper_short_code: 'OSB', network_name: NETWORK });
  });
  after(() => t.cleanup());

  test('the load takes the two columns, rejects bad ones per row with the reason, and loads files without them', async () => {
    const rows: Record<string, string>[] = makeSupplyPoints(6, { seed: 9 }).map((r) => ({
      ...r,
      mprn: nextMprn(),
      last_shipper_short_code: '',
      interested_shipper_short_code: '',
    }));
    const [good, unknown, stillRegistered, both, goodInterested, badForm] = rows.map((r) => r) as [
      Record<string, string>,
      Record<string, string>,
      Record<string, string>,
      Record<string, string>,
      Record<string, string>,
      Record<string, string>,
    ];
    Object.assign(good, { shipper_short_code: '', last_shipper_short_code: 'lsa' });
    Object.assign(unknown, { shipper_short_code: '', last_shipper_short_code: 'XYZ' });
    Object.assign(stillRegistered, { shipper_short_code: 'OSB', last_shipper_short_code: 'LSA' });
    Object.assign(both, {
      shipper_short_code: '',
      last_shipper_short_code: 'LSA',
      interested_shipper_short_code: 'ISA',
    });
    Object.assign(goodInterested, { shipper_short_code: '', interested_shipper_short_code: 'ISA' });
    Object.assign(badForm, { shipper_short_code: '', interested_shipper_short_code: 'IS' });
    const { summary, rejects } = await load(rows, REGISTER_DATE);
    assert.equal(summary.inserted, 2, 'the good rows load');
    assert.equal(summary.rejected, 4);
    assert.deepEqual(
      rejects.map((r) => [r.mprn, r.field, r.reason]),
      [
        [unknown.mprn, 'last_shipper_short_code', "'XYZ' is not the short code of a known shipper"],
        [
          stillRegistered.mprn,
          'last_shipper_short_code',
          "a last registered shipper (shipperless site) is only for a site with no registered shipper, but shipper_short_code is 'OSB'",
        ],
        [
          both.mprn,
          'interested_shipper_short_code',
          'an interested shipper is only for a site never registered, but this row also names a last registered shipper',
        ],
        [
          badForm.mprn,
          'interested_shipper_short_code',
          "Interested shipper (unregistered site) 'IS' must be a 3-character short code (letters and digits)",
        ],
      ],
    );
    const cdsp = (await api['CDSP']!('GET', `/supply-points/${good.mprn}`)).json();
    assert.equal(cdsp.last_shipper_short_code, 'LSA', 'normalised to upper case');
    assert.equal(cdsp.shipper_short_code, null);

    // Without the shipper column, a last shipper cannot be checked against it: rejected.
    const partial = await load([{ mprn: good['mprn']!, last_shipper_short_code: 'LSA' }], REGISTER_DATE);
    assert.deepEqual(
      partial.rejects.map((r) => [r.field, r.reason]),
      [
        [
          'last_shipper_short_code',
          'a last registered shipper (shipperless site) needs the shipper_short_code column in the file, empty for this site',
        ],
      ],
    );

    // A file without the two columns still loads (GES names only).
    const plain = makeSupplyPoints(1, { seed: 12 }).map((r) => ({ ...r, mprn: nextMprn() }));
    const gesOnly = Object.keys(plain[0]!).filter(
      (c) => c !== 'last_shipper_short_code' && c !== 'interested_shipper_short_code',
    );
    const loaded = await load(plain, REGISTER_DATE, gesOnly);
    assert.equal(loaded.summary.inserted, 1);
    assert.equal(loaded.summary.rejected, 0);
  });

  test('the last shipper sees its shipperless site, marked, without portfolio-only fields of the shipperless period', async () => {
    const res = await api['LSA']!('GET', `/supply-points/${shipperless}`);
    assert.equal(res.statusCode, 200, res.body);
    const sp = res.json();
    assert.equal(sp.standing, 'shipperless');
    assert.equal(sp.in_portfolio, true);
    assert.equal(sp.last_shipper_short_code, 'LSA');
    assert.equal(sp.shipper_short_code, null);
    assert.equal(sp.network_name, NETWORK);
    assert.ok(
      !('meter_model' in sp),
      'portfolio-only fields of a version no party right of LSA names: absent',
    );
    assert.ok(!('confirmation_reference_number' in sp));

    // Its own period: everything, as before.
    const own = (await api['LSA']!('GET', `/supply-points/${shipperless}?as_at=${EARLIER}`)).json();
    assert.equal(own.standing, null);
    assert.equal(own.meter_model, 'LSA-MODEL');
    assert.equal(own.confirmation_reference_number, '31415926');

    // History: its own period's portfolio-only values and the shipperless change, never the shipperless
    // period's portfolio-only values (not even as the "to" of the change).
    const history = (await api['LSA']!('GET', `/supply-points/${shipperless}/history`)).json();
    const changes = history.changes as { field: string; from: string | null; to: string | null }[];
    assert.ok(changes.some((c) => c.field === 'last_shipper_short_code' && c.to === 'LSA'));
    assert.ok(changes.some((c) => c.field === 'shipper_short_code' && c.from === 'LSA' && c.to === null));
    assert.ok(
      changes.some((c) => c.field === 'meter_model' && c.to === 'LSA-MODEL'),
      'its own period',
    );
    assert.ok(!changes.some((c) => c.to === 'SU-MODEL'), 'no shipperless-period portfolio-only value');
    assert.ok(!changes.some((c) => c.field === 'confirmation_reference_number' && c.from === '31415926'));

    // Search marks it too.
    const found = (await api['LSA']!('GET', `/supply-points?mprn=${shipperless}`)).json();
    assert.deepEqual(
      found.items.map((i: { mprn: string; standing: string | null }) => [i.mprn, i.standing]),
      [[shipperless, 'shipperless']],
    );

    // The network holds it by its own right: all fields, no S&U mark.
    const gt = (await api['GT']!('GET', `/supply-points/${shipperless}`)).json();
    assert.equal(gt.standing, null);
    assert.equal(gt.meter_model, 'SU-MODEL');
  });

  test('the interested shipper sees its unregistered site, marked, without portfolio-only fields', async () => {
    const sp = (await api['ISA']!('GET', `/supply-points/${unregistered}`)).json();
    assert.equal(sp.standing, 'unregistered');
    assert.equal(sp.interested_shipper_short_code, 'ISA');
    assert.ok(!('meter_model' in sp));
    assert.ok(!('confirmation_reference_number' in sp));
    const found = (await api['ISA']!('GET', `/supply-points?mprn=${unregistered}`)).json();
    assert.equal(found.items[0]?.standing, 'unregistered');
  });

  test('the DES pages mark them: the supply point page and the search results', async () => {
    const page = async (org: string, url: string) => {
      const u = await makeUser(t.services, {
        orgShortCode: org,
        roles: ['des_user'],
        password: TEST_PASSWORD,
      });
      const web = (await signInAndEnrol(t.app, t.clock, u.email, TEST_PASSWORD)).client;
      const res = await web.get(url);
      assert.equal(res.statusCode, 200, url);
      return res.body;
    };
    const lsa = await page('LSA', `/des/supply-points/${shipperless}`);
    assert.match(lsa, /data-standing="shipperless">Shipperless: you were the last registered shipper</);
    assert.doesNotMatch(lsa, /SU-MODEL|Unregistered: you asked/);
    const isa = await page('ISA', `/des?mprn=${unregistered}`);
    assert.match(isa, /data-standing="unregistered">Unregistered: you asked for this MPRN</);
    const gt = await page(t.cdsp.shortCode, `/des/supply-points/${shipperless}`);
    assert.doesNotMatch(gt, /data-standing/, 'the CDSP sees it by its own right: no mark');
    assert.match(gt, /SU-MODEL/);
  });

  test('another shipper gets exactly "not found" for either, as for an MPRN that does not exist', async () => {
    const missing = await api['OSB']!('GET', `/supply-points/${absent}`);
    assert.equal(missing.statusCode, 404);
    for (const [who, mprn] of [
      ['OSB', shipperless],
      ['OSB', unregistered],
      ['ISA', shipperless],
      ['LSA', unregistered],
      ['LSA', nobody],
      ['LSA', registered], // registered to OSB: a recorded last shipper holds no right while a shipper is registered
    ] as const) {
      const res = await api[who]!('GET', `/supply-points/${mprn}`);
      assert.equal(res.statusCode, 404, `${who} ${mprn}`);
      const body = res.json<Record<string, unknown>>();
      assert.deepEqual(
        { ...body, instance: null, request_id: null },
        { ...missing.json<Record<string, unknown>>(), instance: null, request_id: null },
      );
      const search = (await api[who]!('GET', `/supply-points?mprn=${mprn}`)).json();
      assert.deepEqual(search.items, [], `${who} searching ${mprn}`);
    }
  });

  const gsr = (mprn: string) => ({
    code: 'GSR',
    mprn,
    description: 'Supply made safe',
    fields: {
      notice_reference: 'GSR-SU',
      situation_category: 'ID',
      action_taken: 'CAPPED',
      visit_date: '2026-02-27',
      gas_escape: 'yes',
      details: 'Capped at the meter',
    },
  });
  const mus = (mprn: string) => ({
    code: 'MUS',
    mprn,
    description: 'Gas in use, no shipper',
    fields: { site_status: 'OCCUPIED', gas_in_use: true },
  });

  test('GSR on a shipperless site goes to its last shipper; MUS on an unregistered site to its interested shipper', async () => {
    const g = await api['GT']!('POST', '/contacts', { body: gsr(shipperless) });
    assert.equal(g.statusCode, 201, g.body);
    assert.match(g.json().resolver, /\(LSA\)$/);
    assert.equal((await api['LSA']!('GET', `/contacts/${g.json().reference}`)).statusCode, 200);
    assert.equal((await api['ISA']!('GET', `/contacts/${g.json().reference}`)).statusCode, 404);

    const m = await api['GT']!('POST', '/contacts', { body: mus(unregistered) });
    assert.equal(m.statusCode, 201, m.body);
    assert.match(m.json().resolver, /\(ISA\)$/);
    assert.equal((await api['ISA']!('GET', `/contacts/${m.json().reference}`)).statusCode, 200);

    // Where a shipper is registered, GSR goes to it.
    const r = await api['GT']!('POST', '/contacts', { body: gsr(registered) });
    assert.equal(r.statusCode, 201, r.body);
    assert.match(r.json().resolver, /\(OSB\)$/);
  });

  test('GSR and MUS where the register names no party are refused, saying what is missing and whom to ask', async () => {
    const before = (await api['GT']!('GET', '/contacts')).json();
    const g = await api['GT']!('POST', '/contacts', { body: gsr(nobody) });
    assert.equal(g.statusCode, 400, g.body);
    assert.match(g.headers['content-type'] as string, /application\/problem\+json/);
    assert.match(
      g.body,
      /"No shipper is registered and the register names no last registered shipper for this supply point, so the contact cannot be routed\. Ask the CDSP service desk to record it \(last_shipper_short_code\)"/,
    );
    const m = await api['GT']!('POST', '/contacts', { body: mus(nobody) });
    assert.equal(m.statusCode, 400, m.body);
    assert.match(
      m.body,
      /"No shipper is registered and the register names no interested shipper for this supply point, so the contact cannot be routed\. Ask the CDSP service desk to record it \(interested_shipper_short_code\)"/,
    );
    assert.deepEqual((await api['GT']!('GET', '/contacts')).json(), before, 'nothing was raised');
  });
});
