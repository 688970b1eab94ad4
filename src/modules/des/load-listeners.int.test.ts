import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { inScope, SYSTEM_SCOPE } from '../../platform/db/scope.ts';
import { createDesTestEnv, csv, registerRows } from '../../../test/support/des.ts';
import { perSuite } from '../../../test/support/suite.ts';
import type { AppliedLoad } from './index.ts';

const ACTOR = { userId: null, label: 'listener-test', organisationId: null };

describe('DES load listeners: told of each applied load after its commit', () => {
  const env = perSuite(() => createDesTestEnv());

  test('a listener hears of an applied load (not of a duplicate); one that fails leaves the load applied, audited', async () => {
    const heard: AppliedLoad[] = [];
    const seenInRegister: number[] = [];
    env.des.loads.onApplied(async (load) => {
      heard.push(load);
      // The load has committed: its rows are readable from another transaction.
      const rows = await inScope(env.database.db, SYSTEM_SCOPE, (trx) =>
        trx.selectFrom('des.supply_point_versions').select('mprn').execute(),
      );
      seenInRegister.push(rows.length);
    });
    env.des.loads.onApplied(async () => {
      throw new Error('the CMS is down');
    });
    const path = env.file('register.csv', csv(registerRows(5)));
    const first = await env.des.loads.load({ path, businessDate: '2026-02-20', actor: ACTOR, source: 'cli' });
    assert.equal(first.status, 'applied');
    assert.deepEqual(heard, [{ loadId: first.loadId, businessDate: '2026-02-20', correction: false }]);
    assert.deepEqual(seenInRegister, [5]);
    const again = await env.des.loads.load({ path, businessDate: '2026-02-20', actor: ACTOR, source: 'cli' });
    assert.equal(again.status, 'duplicate');
    assert.equal(heard.length, 1, 'a duplicate load applies nothing, so nobody is told');
    const events = await inScope(env.database.db, SYSTEM_SCOPE, (trx) =>
      env.audit.forSubject(trx, 'des_load', first.loadId),
    );
    const failed = events.filter((e) => e.action === 'des.load.listener_failed');
    assert.equal(failed.length, 1);
    assert.equal(failed[0]!.details['reason'], 'the CMS is down');
    assert.equal((await env.des.loads.getLoad(first.loadId))?.status, 'applied');
  });
});
