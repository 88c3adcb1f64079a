import { repoRoot } from './e2e.js';
import { appManifest } from './sandbox-helpers.js';

/**
 * The manifest of an app running test/fixtures/apps/reacher (the hostile-app checks' fixture) as
 * `id`, with these permissions and limits, and its GET /headers route.
 */
export function reacherManifest(
  id: string,
  permissions: Record<string, Record<string, unknown>>,
  limits: Record<string, number>,
): Record<string, unknown> {
  const m = appManifest(id, { entry: `${repoRoot}/test/fixtures/apps/reacher/index.ts`, permissions, limits });
  (m.contributes as Record<string, unknown>).routes = [{ method: 'GET', path: '/headers', auth: 'none' }];
  return m;
}
