/**
 * Isolation matrix (issue 15): every route, discovered from the route table and cross-checked with the OpenAPI
 * document, is called by organisations of every type and users of every role with another organisation's objects.
 * No answer may differ from the answer for a well-formed missing object (status, content type, location, body after
 * the id itself and the request id are masked), nothing of anyone else's may change (row fingerprints), the audit
 * trail may record no more than for a missing object, and every role without the route's permission gets 403.
 * A route with no isolation case and no allow-list entry fails; so does a deliberately unscoped route (fixture).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createWorld, type World } from './support/isolation-world.ts';
import { discoverRoutes, runMatrix, type Case } from './support/isolation-matrix.ts';
import { ALLOW_LIST, CASES } from './support/isolation-cases.ts';
import { UNSCOPED_ROUTE, unscopedRoutePlugin } from '../fixtures/unscoped-route/unscoped-route.plugin.ts';

const report = (failures: string[]) => (failures.length ? `\n  ${failures.join('\n  ')}` : '');

describe('isolation matrix', () => {
  let w: World;
  before(async () => {
    w = await createWorld();
  });
  after(() => w?.cleanup());

  test('every route is in both the route table and (for the API) the OpenAPI document', () => {
    const { routes, failures } = discoverRoutes(w.app);
    assert.ok(routes.length > 100, `only ${routes.length} routes discovered`);
    assert.deepEqual(failures, [], report(failures));
  });

  test('the world has organisations of every type, users of every role and objects of every kind', () => {
    const types = new Set(w.orgs.map((o) => o.type));
    for (const t of ['shipper', 'supplier', 'gt', 'igt', 'uip', 'mra', 'dmsp', 'mam', 'cdsp'])
      assert.ok(types.has(t), t);
    const roles = new Set(w.members.map((m) => m.role));
    assert.equal(roles.size, 8, [...roles].join(', '));
    const kinds = new Set(w.objects.map((o) => o.kind));
    assert.equal(kinds.size, 12, [...kinds].join(', '));
  });

  test('no organisation reads, changes or infers another’s object, and every route refuses roles without its permission', async () => {
    const { routes } = discoverRoutes(w.app);
    const started = Date.now();
    const result = await runMatrix(w, { routes, cases: CASES, allowList: ALLOW_LIST });
    const c = result.counts;
    console.log(
      `isolation matrix: ${result.routes} routes (${Object.keys(ALLOW_LIST).length} allow-listed); ` +
        `${c.object} cross-organisation object calls, ${c.collection} list calls, ${c.own} own-object calls, ` +
        `${c.refusal} refusals; ${result.covered.routeRoles} route × role and ${result.covered.routeTypes} ` +
        `route × organisation type combinations; ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    assert.deepEqual(result.failures, [], report(result.failures));
  });
});

describe('the isolation matrix catches an unscoped route (test/fixtures/unscoped-route)', () => {
  let w: World;
  before(async () => {
    w = await createWorld({
      plugins: [async (app, services, database) => app.register(unscopedRoutePlugin(services, database))],
    });
  });
  after(() => w?.cleanup());

  const only = (r: { key: string }) => r.key === UNSCOPED_ROUTE;

  test('a route added without an isolation case fails the matrix, named', async () => {
    const { routes, failures } = discoverRoutes(w.app);
    assert.deepEqual(failures, [], 'the fixture route is in the OpenAPI document');
    assert.ok(routes.some(only));
    const result = await runMatrix(w, { routes, cases: CASES, allowList: ALLOW_LIST, only });
    assert.deepEqual(result.failures, [`route ${UNSCOPED_ROUTE} has no isolation case`]);
  });

  test('given its case, the matrix finds that another organisation’s contact can be read', async () => {
    const { routes } = discoverRoutes(w.app);
    const fixtureCase: Case = {
      kind: 'object',
      object: 'contact',
      req: (id) => ({ url: `/api/v1/fixture-contacts/${id}` }),
    };
    const result = await runMatrix(w, {
      routes,
      cases: { ...CASES, [UNSCOPED_ROUTE]: fixtureCase },
      allowList: ALLOW_LIST,
      only,
    });
    assert.ok(result.failures.length > 0, 'the unscoped route passed the matrix');
    for (const f of result.failures) assert.ok(f.startsWith(`${UNSCOPED_ROUTE}: `), f);
    assert.ok(
      result.failures.some((f) => /can tell contact .* from a missing one \(status 200 vs 404\)/.test(f)),
      report(result.failures),
    );
    assert.ok(
      result.failures.some((f) => / saw /.test(f)),
      report(result.failures),
    );
  });
});
