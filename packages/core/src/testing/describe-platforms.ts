import { afterAll, beforeAll, describe } from 'vitest';
import { BACKENDS, backendAvailable, makeTestPlatform, type Backend, type TestPlatform } from './platforms.js';

/** Which backends run here; PostgreSQL is skipped (the title says why) when no server answers outside CI. */
export const AVAILABLE: Record<Backend, boolean> = Object.fromEntries(
  await Promise.all(BACKENDS.map(async (b) => [b, await backendAvailable(b)] as const)),
) as Record<Backend, boolean>;

/** The title suffix that says why a backend's suite is skipped ('' when it runs). */
export const skipReason = (backend: Backend): string => (AVAILABLE[backend] ? '' : ' (skipped: no PostgreSQL server reachable; CI=true requires one)');

/**
 * Runs the same suite once per metadata backend on a fresh real platform (`makeTestPlatform`),
 * opened in `beforeAll` and closed in `afterAll`. The suite gets a getter, because the platform
 * exists only once `beforeAll` has run. `config` gives per-backend config overrides.
 *
 * @example
 * ```ts
 * describeEachPlatform('metric writes', (t) => {
 *   it('keeps history', async () => { await t().platform.runs.create({ experimentId: '0' }); });
 * });
 * ```
 */
export function describeEachPlatform(title: string, suite: (t: () => TestPlatform, backend: Backend) => void, config: (backend: Backend) => Record<string, unknown> = () => ({})): void {
  for (const backend of BACKENDS) {
    describe.skipIf(!AVAILABLE[backend])(`${title} [${backend}]${skipReason(backend)}`, () => {
      let t: TestPlatform | undefined;
      beforeAll(async () => {
        t = await makeTestPlatform(backend, config(backend));
      });
      afterAll(async () => t?.cleanup());
      suite(() => {
        if (!t) throw new Error('test platform used before beforeAll ran');
        return t;
      }, backend);
    });
  }
}
