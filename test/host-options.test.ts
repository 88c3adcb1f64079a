/**
 * The services a deployment or a test replaces come in through HostOptions: the event bus (a host
 * among several passes one that carries events between them) and the clock (what "now" is for
 * expiries and timestamps). Both are used for real, not only accepted.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InProcessEventBus } from '../host/bus/in-process-event-bus.js';
import type { HostEvent } from '../host/bus/event-bus.js';
import type { Logger } from '../host/logging/logger.js';
import { startTestHost, type TestHost } from './support/start-test-host.js';
import { repoRoot } from './support/e2e.js';
import {
  enable,
  probeManifest,
  prober,
  readRecords,
  recordFile,
  roomWith,
  valueOf,
  waitForRecord,
} from './support/plugin-helpers.js';

/** A bus that delivers in-process, as the default does, and keeps what it carried. */
class RecordingBus extends InProcessEventBus {
  readonly carried: HostEvent[] = [];
  closed = 0;
  constructor(log: Logger) {
    super(log);
  }
  override publish(event: HostEvent): void {
    this.carried.push(event);
    super.publish(event);
  }
  close(): Promise<void> {
    this.closed++;
    return Promise.resolve();
  }
}

describe('HostOptions', () => {
  let host: TestHost | null = null;
  afterEach(async () => {
    await host?.stop();
    host = null;
  });

  it('eventBus: every event goes through the given bus, delivery included, and the bus is closed on stop', async () => {
    let bus: RecordingBus | null = null;
    host = await startTestHost({ eventBus: (log) => (bus = new RecordingBus(log)) });
    const [ada, bob] = await Promise.all([host.createUser(), host.createUser()]);
    const room = await host.direct(ada, bob);
    const bobClient = await host.connect(bob.token);
    const adaClient = await host.connect(ada.token);
    const sent = await adaClient.sendText(room.id, 'through the given bus');
    await bobClient.waitFor((f) => f.type === 'message.created' && f.message.id === sent.message.id);
    expect(bus!.carried).toContainEqual(
      expect.objectContaining({ type: 'message.changed', change: 'created', conversationId: room.id }),
    );
    await host.stop();
    host = null;
    expect(bus!.closed).toBe(1);
  });

  it('clock: a token expires when the given clock passes its expiresAt, and timestamps come from it', async () => {
    let now = Date.UTC(2030, 0, 1);
    host = await startTestHost({ clock: { now: () => now } });
    const ada = await host.createUser();
    const issued = await host.http('POST', `/v1/admin/users/${ada.id}/tokens`, {
      token: 'admin',
      body: { ttlSeconds: 60 },
    });
    expect(issued.status).toBe(201);
    expect(Date.parse(issued.body.expiresAt)).toBe(now + 60_000);
    expect((await host.http('GET', '/v1/me', { token: issued.body.token })).status).toBe(200);

    const room = await host.createGroup(ada, []);
    expect(Date.parse(room.createdAt)).toBe(now);

    now += 61_000;
    const expired = await host.http('GET', '/v1/me', { token: issued.body.token });
    expect(expired.status).toBe(401);
    expect(expired.body.error.code).toBe('unauthenticated');
  });

  it('clock: a scheduled job is due by the given clock, not by the wall clock', async () => {
    // Years behind the wall clock: a job due a minute from this clock's now is long past in real time.
    let now = Date.UTC(2020, 0, 1);
    const runs = recordFile('clock-scheduler');
    const manifest = probeManifest('clocked', {
      entry: join(repoRoot, 'test/fixtures/plugins/scheduler-probe/index.ts'),
      command: 'clocked',
      permissions: { commands: {}, scheduler: {} },
    });
    const plugin = enable(manifest, { settings: { command: 'clocked', recordFile: runs } });
    host = await startTestHost({ clock: { now: () => now }, config: { plugins: { enabled: [plugin] } } });
    const ada = await host.createUser();
    const call = prober(host, ada, (await roomWith(host, ada, ['clocked'])).id, 'clocked');
    const ranJob = (id: string) => waitForRecord(runs, (r) => r.event === 'job' && r.id === id);

    const at = new Date(now + 60_000).toISOString();
    const later = valueOf(await call('scheduler.schedule', 'record', { at, payload: 'later' }));
    expect(later.runAt).toBe(at);
    const recurring = valueOf(await call('scheduler.every', 'record', 5_000, { payload: 'tick' }));
    expect(Date.parse(recurring.runAt)).toBe(now + 5_000);
    expect(valueOf(await call('scheduler.cancel', recurring.id))).toBe(true);
    // Polls run one after another, and a poll's claimed jobs start before the next poll: once a job
    // scheduled after the first marker ran, a poll has seen `later` and left it alone.
    const first = valueOf(await call('scheduler.schedule', 'record', { payload: 'first marker' }));
    expect(Date.parse(first.runAt)).toBe(now);
    await ranJob(first.id);
    await ranJob(valueOf(await call('scheduler.schedule', 'record', { payload: 'second marker' })).id);
    expect(readRecords(runs).filter((r) => r.id === later.id)).toEqual([]);

    now += 60_000;
    expect(await ranJob(later.id)).toMatchObject({ payload: 'later', runAt: at, attempt: 1 });
  });
});
