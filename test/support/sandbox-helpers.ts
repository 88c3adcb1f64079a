/**
 * Helpers for the sandbox suites: manifests of sandboxed fixture apps, their commands and
 * health, and a bystander that keeps using the host while an attack runs, measuring the host's
 * event-loop delay and its own round trips.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { expect } from 'vitest';
import { repoRoot } from './e2e.js';
import { eventually } from './eventually.js';
import type { EnabledEntry } from './plugin-helpers.js';
import { startTestHost, type TestHost, type TestUser } from './start-test-host.js';

export const ATTACKER_ENTRY = `${repoRoot}/test/fixtures/apps/attacker/index.ts`;

export function appManifest(
  id: string,
  o: { entry?: string; permissions?: Record<string, object>; limits?: Record<string, number>; settings?: object } = {},
): Record<string, unknown> {
  return {
    id,
    name: `App ${id}`,
    version: '1.0.0',
    description: 'A sandboxed test app.',
    author: 'Switchboard tests',
    engine: '^1.0.0',
    runtime: 'sandbox',
    entry: o.entry ?? ATTACKER_ENTRY,
    permissions: o.permissions ?? { commands: {}, storage: {}, 'messages.send': {} },
    contributes: {
      commands: [
        {
          name: 'run',
          description: 'Runs one operation.',
          arguments: [
            { name: 'op', type: 'string', required: true },
            { name: 'arg', type: 'rest' },
          ],
        },
      ],
      ...(o.settings ? { settings: o.settings } : {}),
    },
    ...(o.limits ? { limits: o.limits } : {}),
  };
}

export interface AppHealth {
  id: string;
  state: string;
  workerPid: number | null;
  restarts: number;
  failures: Record<string, number>;
  lastFailure: { reason: string; message: string; at: string } | null;
  limits: Record<string, number> | null;
  cpuMs: number;
  cpuMsLastMinute: number;
  heapUsedBytes: number;
  externalBytes: number;
  heapLimitBytes: number;
  events: number;
  failedEvents: number;
  quarantined: boolean;
  collateralRestarts: number;
  workerRssBytes: number | null;
}

export async function appHealth(host: TestHost, id: string): Promise<AppHealth> {
  const res = await host.http('GET', `/v1/admin/apps/${id}`, { token: 'admin' });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

export async function waitForApp(
  host: TestHost,
  id: string,
  state = 'running',
  timeoutMs = 10_000,
): Promise<AppHealth> {
  let health: AppHealth | undefined;
  try {
    return await eventually(
      async () => {
        health = await appHealth(host, id);
        return health.state === state && health;
      },
      { timeoutMs },
    );
  } catch {
    throw new Error(`app ${id} is ${health?.state}, not ${state}: ${JSON.stringify(health)}`);
  }
}

/**
 * A host with one sandbox worker (so the suite's apps share it, as on a small machine) and these
 * plugins enabled (and any other `config`), and a user; returned once each of `apps` (the sandboxed ones) is running, so a
 * first command never meets an app still starting.
 */
export async function startSandboxHost(
  enabled: EnabledEntry[],
  apps: string[],
  sandbox: Record<string, unknown> = {},
  config: Record<string, unknown> = {},
): Promise<{ host: TestHost; user: TestUser }> {
  const host = await startTestHost({
    config: { ...config, sandbox: { workers: 1, ...sandbox }, plugins: { ...(config.plugins as object), enabled } },
  });
  try {
    const user = await host.createUser();
    await Promise.all(apps.map((id) => waitForApp(host, id)));
    return { host, user };
  } catch (err) {
    await host.stop();
    throw err;
  }
}

/** Runs `/run <op>` in the room; returns the HTTP status and the parsed reply or error. */
export async function runOp(
  host: TestHost,
  user: TestUser,
  roomId: string,
  op: string,
): Promise<{ status: number; value: any; error: any }> {
  const res = await host.http('POST', `/v1/conversations/${roomId}/commands`, {
    token: user.token,
    body: { text: `/run ${op}` },
  });
  return {
    status: res.status,
    value: res.status === 200 ? JSON.parse(res.body.reply.text) : null,
    error: res.body.error ?? null,
  };
}

export interface Bystander {
  /** Stops the load; returns what it measured. */
  stop(): Promise<{
    sent: number;
    failed: number;
    maxRoundTripMs: number;
    eventLoopP99Ms: number;
    eventLoopMaxMs: number;
    clientMsgIds: string[];
  }>;
}

/** Another user keeps sending messages in their own room, one after another, while the attack runs. */
export function startBystander(host: TestHost, user: TestUser, roomId: string): Bystander {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let running = true;
  let sent = 0;
  let failed = 0;
  let maxRoundTripMs = 0;
  const clientMsgIds: string[] = [];
  const loop = (async () => {
    while (running) {
      const clientMsgId = `by-${Date.now()}-${sent}`;
      const started = performance.now();
      const res = await host.http('POST', `/v1/conversations/${roomId}/messages`, {
        token: user.token,
        body: { clientMsgId, content: { type: 'text', text: 'still here' } },
      });
      maxRoundTripMs = Math.max(maxRoundTripMs, performance.now() - started);
      // Each send has a new clientMsgId, so it is stored (201), never a resend (200).
      if (res.status === 201) {
        sent++;
        clientMsgIds.push(clientMsgId);
      } else {
        failed++;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      delay.disable();
      return {
        sent,
        failed,
        maxRoundTripMs,
        eventLoopP99Ms: delay.percentile(99) / 1e6,
        eventLoopMaxMs: delay.max / 1e6,
        clientMsgIds,
      };
    },
  };
}
