import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CODE_LISTS } from '../../register/code-lists.ts';
import { REGISTER_FIELD_NAMES } from '../../register/fields.ts';
import { CHANGE_COLUMNS, Rng, generateChanges, generateRegister, type GeneratorOrgs } from './index.ts';
import { hasValidCheckDigits } from '../../../../platform/gas/mprn.ts';
import { postcodeArea } from '../../../../platform/gas/postcode.ts';
import { makeRowValidator } from '../../register/row-validator.ts';

const orgs: GeneratorOrgs = {
  shippers: ['SHA', 'SHB', 'SHC', 'SHD', 'SHE'],
  suppliers: ['SUA', 'SUB', 'SUC', 'SUD'],
  mams: ['MAA', 'MAB', 'MAC'],
  igts: [
    { shortCode: 'IGA', networkName: 'Alpha Pipelines' },
    { shortCode: 'IGB', networkName: 'Beta Gas Networks' },
  ],
};

const register = (count: number, seed = 7) => [
  ...generateRegister({ count, seed, orgs, businessDate: '2025-01-31' }),
];

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

test('Rng is deterministic and uniform-ish', () => {
  const a = new Rng(1);
  const b = new Rng(1);
  const xs = Array.from({ length: 1000 }, () => a.next());
  assert.deepEqual(
    xs,
    Array.from({ length: 1000 }, () => b.next()),
  );
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  assert.ok(Math.abs(mean - 0.5) < 0.05);
  assert.notDeepEqual(
    xs.slice(0, 5),
    Array.from({ length: 5 }, () => new Rng(2).next()),
  );
});

test('generateRegister is deterministic for a seed and differs between seeds', () => {
  assert.deepEqual(register(300, 1), register(300, 1));
  assert.notDeepEqual(register(50, 1), register(50, 2));
});

test('register rows pass the row validator with the default code lists, with no warnings', () => {
  const rows = register(4000);
  const validate = makeRowValidator({
    columns: REGISTER_FIELD_NAMES,
    codeLists: DEFAULT_CODE_LISTS,
    checkDigitPolicy: 'error',
  });
  rows.forEach((row, i) => {
    assert.deepEqual(Object.keys(row), REGISTER_FIELD_NAMES);
    const r = validate(
      REGISTER_FIELD_NAMES.map((n) => row[n]!),
      i + 2,
    );
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(r.warnings, []);
  });
});

test('register rows are realistic and internally consistent', () => {
  const rows = register(5000);
  const mprns = new Set(rows.map((r) => r.mprn));
  assert.equal(mprns.size, rows.length, 'MPRNs are unique');
  assert.ok(rows.every((r) => hasValidCheckDigits(r.mprn!)));
  const share = (pred: (r: Record<string, string>) => boolean) => rows.filter(pred).length / rows.length;
  assert.ok(Math.abs(share((r) => r.market_sector_code === 'D') - 0.9) < 0.03);
  assert.ok(share((r) => r.meter_point_status === 'LI') > 0.88);
  for (const s of ['DE', 'EX']) assert.ok(share((r) => r.meter_point_status === s) > 0);
  assert.ok(share((r) => r.csep_id !== '') > 0.02);
  assert.equal(new Set(rows.map((r) => r.ldz_id)).size, 13);
  const ldzNetwork = DEFAULT_CODE_LISTS['ldz_network']!;
  for (const r of rows) {
    const ldz = r.ldz_id!;
    const aq = Number(r.annual_quantity);
    assert.equal(DEFAULT_CODE_LISTS['exit_zone_ldz']!.get(r.exit_zone!), ldz);
    if (r.csep_id) {
      const igt = orgs.igts.find((g) => g.networkName === r.network_name);
      assert.ok(igt && r.csep_id.startsWith(`${igt.shortCode}-`), r.csep_id);
    } else assert.equal(r.network_name, ldzNetwork.get(ldz));
    assert.equal(r.small_large_supply_point_indicator, aq > 73_200 ? 'LSP' : 'SSP');
    assert.match(r.end_user_category_code!, new RegExp(`^${ldz}:E24(0[1-9])(B|W0[1-4])$`));
    const band = Number(r.end_user_category_code!.slice(6, 8));
    const bounds = [
      0,
      73_200,
      293_000,
      732_000,
      2_196_000,
      5_860_000,
      14_650_000,
      29_300_000,
      58_600_000,
      Infinity,
    ];
    assert.ok(aq > bounds[band - 1]! || (band === 1 && aq >= 0), `${aq} in band ${band}`);
    assert.ok(aq <= bounds[band]!, `${aq} in band ${band}`);
    if (r.market_sector_code === 'D') {
      assert.ok(aq <= 73_200);
      assert.ok(r.class === '4' || r.class === '3');
    }
    if (aq > 58_600_000) assert.equal(r.class, '1');
    assert.ok(r.msn!.length <= 14);
    if (r.meter_point_status !== 'EX') {
      assert.ok(orgs.shippers.includes(r.shipper_short_code!));
      assert.ok(orgs.suppliers.includes(r.current_supplier!));
    }
    assert.ok(orgs.mams.includes(r.mam_short_code!));
    assert.ok(r.meter_installation_date! <= '2025-01-31' && r.latest_meter_read_date! <= '2025-01-31');
    assert.ok(r.latest_meter_read_date! >= r.meter_installation_date!);
    assert.equal(r.latest_meter_read_value!.length, Number(r.meter_number_of_dials));
  }
  // Postcode areas are plausible for the LDZ (e.g. Birmingham 'B' is West Midlands).
  const areasByLdz = new Map<string, Set<string>>();
  for (const r of rows)
    areasByLdz.set(r.ldz_id!, (areasByLdz.get(r.ldz_id!) ?? new Set()).add(postcodeArea(r.postcode!)));
  assert.ok(areasByLdz.get('WM')!.has('B'));
  assert.ok(!areasByLdz.get('WM')!.has('G'));
  // The biggest shipper holds the biggest share.
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.shipper_short_code!, (counts.get(r.shipper_short_code!) ?? 0) + 1);
  assert.ok((counts.get('SHA') ?? 0) > (counts.get('SHE') ?? 0));
});

test('generateChanges is deterministic and its rows validate', async () => {
  const previous = register(3000);
  const opts = { previous, rate: 0.1, seed: 3, businessDate: '2025-02-01', orgs };
  const changes = await collect(generateChanges(opts));
  assert.deepEqual(await collect(generateChanges(opts)), changes);
  assert.notDeepEqual(await collect(generateChanges({ ...opts, seed: 4 })), changes);
  assert.ok(changes.length > 200 && changes.length < 400, String(changes.length));

  const byMprn = new Map(previous.map((r) => [r.mprn!, r]));
  const kinds = new Map<string, number>();
  for (const [i, row] of changes.entries()) {
    const columns = Object.keys(row);
    assert.equal(columns[0], 'mprn');
    const validate = makeRowValidator({ columns, codeLists: DEFAULT_CODE_LISTS, checkDigitPolicy: 'error' });
    const r = validate(Object.values(row), i + 2);
    assert.ok(r.ok, JSON.stringify({ r, row }));
    const kind =
      columns.length === REGISTER_FIELD_NAMES.length
        ? 'new_site'
        : Object.entries(CHANGE_COLUMNS).find(([, cols]) => cols.join() === columns.slice(1).join())?.[0];
    assert.ok(kind, columns.join());
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    const prev = byMprn.get(row.mprn!);
    if (kind === 'new_site') {
      assert.equal(prev, undefined, 'new sites get new MPRNs');
      assert.equal(row.meter_point_status, 'LI');
    } else {
      assert.ok(prev, 'changes are for existing MPRNs');
      assert.notEqual(prev.meter_point_status, 'EX');
    }
    if (kind === 'switch') {
      assert.equal(row.confirmation_effective_date, '2025-02-01');
      assert.notEqual(row.shipper_short_code, prev?.shipper_short_code);
      assert.equal(row.previous_supplier_short_code, prev?.current_supplier);
    }
    if (kind === 'meter_exchange') assert.equal(row.meter_installation_date, '2025-02-01');
    if (kind === 'status') assert.ok(row.meter_point_status === 'DE' || row.meter_point_status === 'EX');
  }
  for (const k of ['read', 'switch', 'aq', 'meter_exchange', 'address', 'status', 'new_site']) {
    assert.ok((kinds.get(k) ?? 0) > 0, `some ${k} changes`);
  }
  // New sites on different days get different MPRNs.
  const next = await collect(generateChanges({ ...opts, businessDate: '2025-02-02' }));
  const newToday = new Set(changes.filter((c) => Object.keys(c).length > 20).map((c) => c.mprn));
  assert.ok(next.filter((c) => Object.keys(c).length > 20).every((c) => !newToday.has(c.mprn)));
});

test('generateChanges accepts an async iterable and rejects a bad rate', async () => {
  async function* stream() {
    yield* register(100);
  }
  const rows = await collect(
    generateChanges({ previous: stream(), rate: 0.5, seed: 1, businessDate: '2025-02-01', orgs }),
  );
  assert.ok(rows.length > 20);
  await assert.rejects(
    collect(generateChanges({ previous: [], rate: 2, seed: 1, businessDate: '2025-02-01', orgs })),
    RangeError,
  );
  assert.throws(() => register(0).concat([...generateRegister({ count: -1, seed: 1, orgs })]), RangeError);
});

test('shipperlessEvery: shipperless and unregistered sites at fixed positions, valid, the rest unchanged', () => {
  const plain = register(400, 3);
  const su = [
    ...generateRegister({ count: 400, seed: 3, orgs, businessDate: '2025-01-31', shipperlessEvery: 40 }),
  ];
  assert.deepEqual(su, [
    ...generateRegister({ count: 400, seed: 3, orgs, businessDate: '2025-01-31', shipperlessEvery: 40 }),
  ]);
  const validate = makeRowValidator({
    columns: REGISTER_FIELD_NAMES,
    codeLists: DEFAULT_CODE_LISTS,
    checkDigitPolicy: 'error',
    shipperCodes: new Set(orgs.shippers),
  });
  let shipperless = 0;
  let unregistered = 0;
  su.forEach((row, i) => {
    const before = plain[i]!;
    const r = validate(
      REGISTER_FIELD_NAMES.map((n) => row[n]!),
      i + 2,
    );
    assert.ok(r.ok, `row ${i}: ${JSON.stringify(r)}`);
    const at = i % 40;
    if (before['shipper_short_code'] && (at === 39 || at === 20)) {
      const column = at === 39 ? 'last_shipper_short_code' : 'interested_shipper_short_code';
      assert.equal(row[column], before['shipper_short_code']);
      assert.equal(row['shipper_short_code'], '');
      assert.equal(row['current_supplier'], '');
      assert.equal(row['confirmation_reference_number'], '');
      assert.equal(row['supply_point_withdrawal_status'], at === 39 ? 'Shipperless' : 'Unregistered');
      if (at === 39) shipperless++;
      else unregistered++;
    } else {
      assert.deepEqual(row, before, `row ${i} is as without the option`);
    }
  });
  assert.ok(
    shipperless >= 8 && unregistered >= 8,
    `${shipperless} shipperless, ${unregistered} unregistered`,
  );
  assert.throws(() => [...generateRegister({ count: 1, seed: 1, orgs, shipperlessEvery: 1 })], RangeError);
});
