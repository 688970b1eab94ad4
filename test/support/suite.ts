/**
 * One fixture for a `describe` block (or a file): made by `create` before its tests and cleaned up after them. The
 * value returned stands for the fixture (it forwards to it once `before` has run), so a suite reads
 * `const t = perSuite(createCmsTestApp)`; later `before` hooks may use it (hooks run in the order declared).
 */
import { after, before } from 'node:test';

export function perSuite<T extends { cleanup(): Promise<void> }>(create: () => Promise<T>): T {
  let fixture: T | undefined;
  before(async () => {
    fixture = await create();
  });
  after(() => fixture?.cleanup());
  return new Proxy({} as T, {
    get(_target, key) {
      if (!fixture) throw new Error('the suite fixture is used before it was created');
      return Reflect.get(fixture, key) as unknown;
    },
  });
}
