/**
 * The Redis bus between hosts, on a real Redis (127.0.0.1:6379, which .ci/run starts): what one
 * host publishes in one turn of its event loop travels as one stream entry, and the other hosts
 * get every event of it, in order. Entries of the release before (one event each) are still
 * read, for a rolling upgrade, and an entry no host wrote is skipped, with a warning, without
 * stopping the stream. Each test uses keys of its own.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisEventBus } from '../host/bus/redis-event-bus.js';
import type { HostEvent } from '../host/bus/event-bus.js';
import { capturedLogger } from './support/captured-logger.js';
import { eventually } from './support/eventually.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const receipt = (seq: number, conversationId = 'c1'): HostEvent => ({
  type: 'receipt',
  conversationId,
  userId: 'u1',
  seq,
});

describe('the Redis bus', () => {
  const opened: RedisEventBus[] = [];
  let redis: Redis | null = null;
  let prefix = '';

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((bus) => bus.close()));
    await redis?.del(`${prefix}events`);
    await redis?.quit();
    redis = null;
  });

  /** Two hosts' buses on fresh keys, once B hears what A publishes. */
  async function twoHosts() {
    prefix = `test-${randomUUID()}:`;
    redis = new Redis(REDIS_URL);
    // B's own logger: each host warns of a bad entry it reads.
    const log = capturedLogger('warn');
    const a = new RedisEventBus({ url: REDIS_URL, prefix, hostId: 'host-a', log: capturedLogger('warn').logger });
    const b = new RedisEventBus({ url: REDIS_URL, prefix, hostId: 'host-b', log: log.logger });
    opened.push(a, b);
    await Promise.all([a, b].map((bus) => new Promise<void>((resolve) => bus.onReconnected(resolve))));
    const heard: HostEvent[] = [];
    let probed = false;
    b.subscribe('receipt', (e) => (e.conversationId === 'probe' ? (probed = true) : heard.push(e)));
    b.subscribe('typing', (e) => heard.push(e));
    // B reads the stream from its newest entry once its first read has started: an entry of ours proves it.
    await eventually(() => {
      a.publish(receipt(0, 'probe'));
      return probed;
    });
    return { a, b, heard, log };
  }

  it("carries one turn's events as one stream entry, and the other host gets each, in order", async () => {
    const { a, heard } = await twoHosts();
    for (let seq = 1; seq <= 5; seq++) a.publish(receipt(seq));
    await eventually(() => {
      expect(heard.map((e) => (e as { seq: number }).seq)).toEqual([1, 2, 3, 4, 5]);
      return true;
    });
    const entries = await redis!.xrange(`${prefix}events`, '-', '+');
    const ours = entries.filter(([, fields]) => fields[1]!.includes('"conversationId":"c1"'));
    expect(ours).toHaveLength(1);
  });

  it('hands its own events to its subscribers once: its entries come back from Redis and are skipped', async () => {
    const { a, b, heard } = await twoHosts();
    const local: HostEvent[] = [];
    a.subscribe('receipt', (e) => e.conversationId === 'c1' && local.push(e));
    a.subscribe('typing', (e) => local.push(e));
    a.publish(receipt(1));
    a.publish({ type: 'typing', conversationId: 'c1', userId: 'u1', state: 'started' });
    await eventually(() => heard.length === 2);
    // B's entries come after A's on the stream and the channel: once A has them, it has read its own.
    b.publish(receipt(2));
    b.publish({ type: 'typing', conversationId: 'c1', userId: 'u2', state: 'started' });
    await eventually(() => local.length === 4);
    // The stream and the channel are separate connections: each is in order, not one against the other.
    expect(local.filter((e) => e.type === 'receipt').map((e) => (e as { seq: number }).seq)).toEqual([1, 2]);
    expect(local.filter((e) => e.type === 'typing').map((e) => (e as { userId: string }).userId)).toEqual(['u1', 'u2']);
  });

  it('publishes locally at once, and ephemeral events over pub/sub', async () => {
    const { a, heard } = await twoHosts();
    const local: HostEvent[] = [];
    a.subscribe('typing', (e) => local.push(e));
    a.publish({ type: 'typing', conversationId: 'c1', userId: 'u1', state: 'started' });
    expect(local).toHaveLength(1);
    await eventually(() => {
      expect(heard).toEqual([{ type: 'typing', conversationId: 'c1', userId: 'u1', state: 'started' }]);
      return true;
    });
  });

  it('reads entries of one event each, as the release before wrote them', async () => {
    const { heard } = await twoHosts();
    const old = JSON.stringify({ host: 'host-old', at: Date.now(), event: receipt(9) });
    await redis!.xadd(`${prefix}events`, '*', 'e', old);
    await eventually(() => {
      expect(heard).toEqual([receipt(9)]);
      return true;
    });
  });

  it('skips an entry no host wrote, says so, and reads on', async () => {
    const { a, heard, log } = await twoHosts();
    await redis!.xadd(`${prefix}events`, '*', 'e', 'not json');
    await redis!.xadd(`${prefix}events`, '*', 'e', JSON.stringify({ host: 'h', events: 'nope' }));
    a.publish(receipt(3));
    await eventually(() => {
      expect(heard).toEqual([receipt(3)]);
      return true;
    });
    expect(log.lines.filter((l) => l.msg === 'skipped a bus entry that is not an event')).toHaveLength(2);
  });
});
