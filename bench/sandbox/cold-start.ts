/**
 * Phases 1 and 2 of `npm run bench -- sandbox` (bench/sandbox.ts): cold start and idle memory.
 *
 * cold_start_ms_p50 — one worker process (as the host runs them) loads 300 copies of a small app
 * (bench/sandbox-fixtures/idle.ts, bundled once), one after another, each a new isolate that
 * runs the guest runtime, the app's bundle and its start(); the figure is the median host-side
 * round trip of a load request.
 *
 * idle_app_kb — the same 300 apps stay loaded; the worker's resident memory growth divided by
 * the apps (after a GC of the worker's own heap is not possible from here, so this is an upper
 * bound).
 */
import { DEFAULT_APP_LIMITS } from '../../sdk/app/app-limits.js';
import { bundleApp } from '../../sdk/cli/bundle-app.js';
import { guestScript } from '../../host/sandbox/guest-script.js';
import { WorkerHandle } from '../../host/sandbox/worker-handle.js';
import type { WorkerStats } from '../../host/sandbox/rpc-protocol.js';
import { percentile } from '../support/util.js';
import { fixtures } from './sandbox-bench-host.js';

export const APPS = 300;

export async function coldStartAndIdle(): Promise<{
  coldStartP50: number;
  coldStartP90: number;
  idleAppKb: number;
  heapPerAppKb: number;
}> {
  const code = (await bundleApp(`${fixtures}idle.ts`)).code;
  const worker = new WorkerHandle(
    await guestScript(),
    256,
    (w, message) => {
      // Nobody hosts these apps: registrations are acknowledged and go nowhere.
      if (message.t === 'call') w.post({ t: 'ret', app: message.app, callId: message.callId, ok: true, value: null });
    },
    () => {},
  );
  await worker.ready;
  const boot = (i: number) => ({
    plugin: { id: `idle-${i}`, version: '1.0.0' },
    self: { id: `bot-${i}`, handle: `idle-${i}`, displayName: 'Idle', kind: 'bot' },
    settings: {},
    permissions: { granted: ['commands'], refused: [] },
    maxPendingCalls: 64,
  });
  // Warm the worker's own code paths (not counted).
  for (let i = 0; i < 5; i++)
    await worker.request({ t: 'load', app: `warm-${i}`, code, boot: boot(i), limits: DEFAULT_APP_LIMITS });
  for (let i = 0; i < 5; i++) await worker.request({ t: 'unload', app: `warm-${i}` });
  const before = await worker.request<WorkerStats>({ t: 'ping' });
  const times: number[] = [];
  for (let i = 0; i < APPS; i++) {
    const started = performance.now();
    await worker.request({ t: 'load', app: `idle-${i}`, code, boot: boot(i), limits: DEFAULT_APP_LIMITS });
    times.push(performance.now() - started);
  }
  await new Promise((r) => setTimeout(r, 500));
  const after = await worker.request<WorkerStats>({ t: 'ping' });
  worker.kill();
  const heap = after.apps.reduce((sum, a) => sum + a.heapUsedBytes, 0) / after.apps.length;
  return {
    coldStartP50: percentile(times, 50),
    coldStartP90: percentile(times, 90),
    idleAppKb: (after.rssBytes - before.rssBytes) / 1024 / APPS,
    heapPerAppKb: heap / 1024,
  };
}
