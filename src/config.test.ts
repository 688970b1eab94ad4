import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from './config.ts';

test('defaults: embedded PGlite under ./.data, port 3000, real clock', () => {
  const c = loadConfig({}, '/srv/app');
  assert.equal(c.databaseUrl, null);
  assert.equal(c.dataDir, '/srv/app/.data');
  assert.equal(c.port, 3000);
  assert.equal(c.now, null);
  assert.equal(c.secureCookies, true);
});

test('CDSP_NOW pins the clock; CDSP_DATA_DIR and PORT are read', () => {
  const c = loadConfig({ CDSP_NOW: '2026-03-02T09:00:00Z', CDSP_DATA_DIR: 'x/y', PORT: '8080' }, '/srv');
  assert.equal(c.now?.toISOString(), '2026-03-02T09:00:00.000Z');
  assert.equal(c.dataDir, '/srv/x/y');
  assert.equal(c.port, 8080);
});

test('invalid configuration lists every problem at once', () => {
  try {
    loadConfig({ DATABASE_URL: 'mysql://x', PORT: 'eighty', CDSP_NOW: 'yesterday', LOG_LEVEL: 'loud' });
    assert.fail('expected ConfigError');
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    assert.equal(e.problems.length, 4, e.message);
    assert.match(e.message, /DATABASE_URL/);
    assert.match(e.message, /PORT/);
    assert.match(e.message, /CDSP_NOW/);
    assert.match(e.message, /LOG_LEVEL/);
  }
});

test('CDSP_NOW without a zone is refused (an instant must be unambiguous)', () => {
  assert.throws(() => loadConfig({ CDSP_NOW: '2026-03-02T09:00:00' }), ConfigError);
});
