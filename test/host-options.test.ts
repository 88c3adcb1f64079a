/**
 * The services a deployment or a test replaces come in through HostOptions: the event bus (a host
 * among several passes one that carries events between them) and the clock (what "now" is for
 * expiries and timestamps). Both are used for real, not only accepted.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { InProcessEventBus } from '../host/bus/in-process-event-bus.js';
import type { HostEvent } from '../host/bus/event-bus.js';
import type { Logger } from '../host/logging/logger.js';
import { startTestHost, type TestHost } from './support/start-test-host.js';

/** A bus that delivers in-process, as the default does, and keeps what it carried. */
class RecordingBus extends InProcessEventBus {
  readonly carried: HostEvent[] = [];
  closed = 0;
  constructor(log: Logger) { super(log); }
  override publish(event: HostEvent): void {
    this.carried.push(event);
    super.publish(event);
  }
  async close(): Promise<void> { this.closed++; }
}

describe('HostOptions', () => {
  let host: TestHost | null = null;
  afterEach(async () => { await host?.stop(); host = null; });

  it('eventBus: every event goes through the given bus, delivery included, and the bus is closed on stop', async () => {
    let bus: RecordingBus | null = null;
    host = await startTestHost({ eventBus: (log) => (bus = new RecordingBus(log)) });
    const [ada, bob] = await Promise.all([host.createUser(), host.createUser()]);
    const room = await host.direct(ada, bob);
    const bobClient = await host.connect(bob.token);
    const adaClient = await host.connect(ada.token);
    const sent = await adaClient.sendText(room.id, 'through the given bus');
    await bobClient.waitFor((f) => f.type === 'message.created' && f.message.id === sent.message.id);
    expect(bus!.carried).toContainEqual(expect.objectContaining({ type: 'message.changed', change: 'created', conversationId: room.id }));
    await host.stop();
    host = null;
    expect(bus!.closed).toBe(1);
  });

  it('clock: a token expires when the given clock passes its expiresAt, and timestamps come from it', async () => {
    let now = Date.UTC(2030, 0, 1);
    host = await startTestHost({ clock: { now: () => now } });
    const ada = await host.createUser();
    const issued = await host.http('POST', `/v1/admin/users/${ada.id}/tokens`, { token: 'admin', body: { ttlSeconds: 60 } });
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
});
