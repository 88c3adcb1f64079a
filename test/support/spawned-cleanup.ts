import { afterAll, afterEach } from 'vitest';
import type { ChildHost } from './child-host.js';
import type { TestDatabase } from './test-database.js';

/**
 * For a test file that starts host processes on databases of its own: push each host to
 * `children` (killed after every test) and each database to `databases` (dropped after the file).
 */
export function spawnedCleanup(): { children: ChildHost[]; databases: TestDatabase[] } {
  const children: ChildHost[] = [];
  const databases: TestDatabase[] = [];
  afterEach(async () => {
    await Promise.all(children.splice(0).map((c) => c.kill('SIGKILL')));
  });
  afterAll(async () => {
    await Promise.all(databases.map((d) => d.drop()));
  });
  return { children, databases };
}
