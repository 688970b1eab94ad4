import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appPerSuite } from '../../../test/support/factories.ts';
import { ConfigError, loadConfig } from '../../config.ts';
import { startMetricsListener } from './metrics.ts';

const TOKEN = 'metrics-token-0123456789abcdef0123';

describe('/metrics by default', () => {
  const t = appPerSuite();

  test('is not served to anyone on the public listener', async () => {
    await t.app.inject('/healthz');
    for (const headers of [{}, { authorization: `Bearer ${TOKEN}` }]) {
      const m = await t.app.inject({ url: '/metrics', headers });
      assert.notEqual(m.statusCode, 200);
      assert.equal(m.statusCode, 404);
      assert.doesNotMatch(m.body, /nodejs_version_info|http_requests_total/);
    }
  });
});

describe('/metrics with CDSP_METRICS_TOKEN', () => {
  const t = appPerSuite({ env: { CDSP_METRICS_TOKEN: TOKEN } });

  test('refuses a request without the token, or with another, as a 401 problem', async () => {
    for (const authorization of [
      undefined,
      '',
      'Bearer',
      `Bearer ${TOKEN}x`,
      `Bearer ${TOKEN.slice(0, -1)}`,
      `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}`,
      TOKEN,
    ]) {
      const m = await t.app.inject({
        url: '/metrics',
        headers: authorization === undefined ? {} : { authorization },
      });
      assert.equal(m.statusCode, 401, String(authorization));
      assert.match(String(m.headers['content-type']), /application\/problem\+json/);
      assert.doesNotMatch(m.body, /http_requests_total|nodejs_/);
    }
  });

  test('serves Prometheus text with the token, without the Node.js version', async () => {
    await t.app.inject('/healthz');
    const m = await t.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(m.statusCode, 200);
    assert.match(m.body, /# TYPE http_request_duration_seconds histogram/);
    assert.match(m.body, /http_requests_total\{method="GET",route="\/healthz",status="200"\}/);
    assert.match(m.body, /process_cpu_seconds_total/);
    assert.doesNotMatch(m.body, /nodejs_version_info|v\d+\.\d+\.\d+/);
  });
});

describe('/metrics on CDSP_METRICS_PORT', () => {
  const t = appPerSuite({ env: { CDSP_METRICS_PORT: '9464' } });

  test('the public listener does not serve it; a loopback listener does', async () => {
    assert.equal((await t.app.inject('/metrics')).statusCode, 404);
    await t.app.inject('/healthz');
    const listener = await startMetricsListener(t.app.metricsRegistry, {
      host: '127.0.0.1',
      port: 0,
      token: null,
    });
    try {
      const res = await fetch(`${listener.url}/metrics`);
      assert.equal(res.status, 200);
      const body = await res.text();
      assert.match(body, /http_requests_total\{method="GET",route="\/healthz",status="200"\}/);
      assert.doesNotMatch(body, /nodejs_version_info/);
      assert.equal((await fetch(`${listener.url}/`)).status, 404);
      assert.equal((await fetch(`${listener.url}/metrics`, { method: 'POST' })).status, 405);
    } finally {
      await listener.close();
    }
  });

  test('a token, when also set, is required there too', async () => {
    const listener = await startMetricsListener(t.app.metricsRegistry, {
      host: '127.0.0.1',
      port: 0,
      token: TOKEN,
    });
    try {
      assert.equal((await fetch(`${listener.url}/metrics`)).status, 401);
      const ok = await fetch(`${listener.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(ok.status, 200);
    } finally {
      await listener.close();
    }
  });
});

test('metrics configuration is validated', () => {
  assert.deepEqual(loadConfig({}).metrics, { token: null, port: null, host: '127.0.0.1' });
  assert.deepEqual(loadConfig({ CDSP_METRICS_TOKEN: TOKEN, CDSP_METRICS_PORT: '9464' }).metrics, {
    token: TOKEN,
    port: 9464,
    host: '127.0.0.1',
  });
  for (const env of [
    { CDSP_METRICS_TOKEN: 'short' },
    { CDSP_METRICS_TOKEN: `${TOKEN} with spaces` },
    { CDSP_METRICS_PORT: 'x' },
    { CDSP_METRICS_PORT: '70000' },
    { PORT: '3000', CDSP_METRICS_PORT: '3000' },
  ]) {
    assert.throws(() => loadConfig(env), ConfigError, JSON.stringify(env));
  }
});
