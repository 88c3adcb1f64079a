import { Redis, type RedisOptions } from 'ioredis';
import type { EventBus, HostEvent, HostEventOf, HostEventType } from './event-bus.js';
import { InProcessEventBus } from './in-process-event-bus.js';
import { eventRoutes } from './event-routes.js';
import { EnvelopeBuilder, envelopePrefix, readEnvelope } from './bus-envelope.js';
import type { Logger } from '../logging/logger.js';
import type { HostMetrics } from '../metrics/host-metrics.js';

export interface RedisEventBusOptions {
  /** redis:// or rediss:// (it may hold a password, so it is never logged). */
  url: string;
  /** Start of every key and channel, so several clusters (and test runs) share one Redis. */
  prefix: string;
  /** This host's id: its own events come back from Redis and are skipped by it. */
  hostId: string;
  log: Logger;
  /** Entries the stream keeps (approximately): room for a reader to come back from an outage. */
  maxLength?: number;
  /** Where the lag of events from other hosts is recorded. */
  metrics?: Pick<HostMetrics, 'busEventReceived'>;
}

const READ_BLOCK_MS = 5_000;
const READ_COUNT = 512;
const RETRY_PAUSE_MS = 1_000;
const CLOSED = Symbol('closed');
const ENTRY_MAX_EVENTS = 64;
const ENTRY_MAX_BYTES = 64 * 1024;

/**
 * The event bus between hosts. This host's subscribers get each event at once, in-process, so
 * local delivery never waits for Redis. Other hosts get it through Redis: committed changes on a
 * stream that each host reads from its last id (so a reconnect resumes where it stopped),
 * ephemeral ones over pub/sub (see event-routes.ts). PostgreSQL stays the source of truth: an
 * event lost while Redis is down shows as a pts gap, which clients fill from the database.
 */
export class RedisEventBus implements EventBus {
  /** Events that could not be handed to Redis (other hosts' clients catch up from the database). */
  dropped = 0;
  private readonly local: InProcessEventBus;
  private readonly log: Logger;
  private readonly streamKey: string;
  private readonly channel: string;
  private readonly maxLength: number;
  /** Publishes. No waiting through outages: a publish then fails fast and counts as dropped. */
  private readonly writer: Redis;
  /** Blocks in XREAD; waits through outages and resends its read when Redis is back. */
  private readonly reader: Redis;
  /** In subscriber mode (ioredis resubscribes after a reconnect). */
  private readonly subscriber: Redis;
  private readonly reading: Promise<void>;
  private lastId: string | null = null;
  private closing = false;
  private down = false;
  /** Settles on close(): a read waiting for a Redis that never comes back is let go of. */
  private readonly closed: Promise<typeof CLOSED>;
  private markClosed: () => void = () => {};
  private readonly reconnected = new Set<() => void>();
  /** SUBSCRIBE was answered once: from then on this host hears what the others publish. */
  private listening = false;
  /** This turn's events for the stream and for pub/sub, each sent as one entry (bus-envelope.ts). */
  private readonly toStream = new EnvelopeBuilder(ENTRY_MAX_EVENTS, ENTRY_MAX_BYTES);
  private readonly toChannel = new EnvelopeBuilder(ENTRY_MAX_EVENTS, ENTRY_MAX_BYTES);
  private flushing: NodeJS.Immediate | null = null;
  /** How this host's own entries begin (EnvelopeBuilder.take): they come back and are skipped unparsed. */
  private readonly ownPrefix: string;

  constructor(private readonly options: RedisEventBusOptions) {
    this.log = options.log.child({ component: 'event-bus' });
    this.local = new InProcessEventBus(this.log);
    this.streamKey = `${options.prefix}events`;
    this.channel = `${options.prefix}ephemeral`;
    this.maxLength = options.maxLength ?? 100_000;
    this.ownPrefix = envelopePrefix(options.hostId);
    this.closed = new Promise((resolve) => (this.markClosed = () => resolve(CLOSED)));
    // One retry, then queued publishes fail: an outage costs a bounded queue, never a growing one.
    this.writer = this.connect({ maxRetriesPerRequest: 1 });
    this.reader = this.connect({ maxRetriesPerRequest: null });
    this.subscriber = this.connect({ maxRetriesPerRequest: null });
    this.subscriber.on('message', (_channel: string, text: string) => this.receive(text));
    // Until SUBSCRIBE is answered, what others publish is not heard: a host that asked the others
    // for their presence at start would miss the answers. That first gap is caught up as an outage's.
    this.subscriber.subscribe(this.channel).then(
      () => {
        this.listening = true;
        this.catchUp();
      },
      (err: unknown) => this.noteDown(err),
    );
    this.reading = this.readLoop();
  }

  publish(event: HostEvent): void {
    if (this.closing) {
      this.local.publish(event);
      return;
    }
    const builder = eventRoutes[event.type] === 'stream' ? this.toStream : this.toChannel;
    // Added (serialized) before local handlers run, so other hosts get the event as published.
    if (builder.add(event)) this.send(builder);
    else this.flushing ??= setImmediate(() => this.flush());
    this.local.publish(event);
  }

  /** Sends what this turn published: one stream entry and one message, at most. */
  private flush(): void {
    this.flushing = null;
    this.send(this.toStream);
    this.send(this.toChannel);
  }

  private send(builder: EnvelopeBuilder): void {
    const events = builder.size;
    if (events === 0) return;
    const text = builder.take(this.options.hostId, Date.now());
    const sent =
      builder === this.toStream
        ? this.writer.xadd(this.streamKey, 'MAXLEN', '~', this.maxLength, '*', 'e', text)
        : this.writer.publish(this.channel, text);
    sent.catch((err: unknown) => {
      this.dropped += events;
      this.noteDown(err);
    });
  }

  subscribe<T extends HostEventType>(type: T, handler: (event: HostEventOf<T>) => void): () => void {
    return this.local.subscribe(type, handler);
  }

  isConnected(): boolean {
    return [this.writer, this.reader, this.subscriber].every((c) => c.status === 'ready');
  }

  onReconnected(callback: () => void): () => void {
    this.reconnected.add(callback);
    if (this.listening) queueMicrotask(() => this.reconnected.has(callback) && callback());
    return () => this.reconnected.delete(callback);
  }

  async close(): Promise<void> {
    if (this.closing) return;
    if (this.flushing) clearImmediate(this.flushing);
    this.flush();
    this.closing = true;
    this.markClosed();
    // The reader sits in a blocking XREAD, behind which a QUIT would wait: its connection is cut.
    this.reader.disconnect();
    await this.reading;
    await Promise.all([quit(this.writer), quit(this.subscriber)]);
  }

  private connect(options: RedisOptions): Redis {
    const connection = new Redis(this.options.url, {
      ...options,
      connectionName: `switchboard:${this.options.hostId}`,
    });
    // Without a listener ioredis prints each failed reconnect; the outage is logged once instead.
    connection.on('error', (err: unknown) => this.noteDown(err));
    connection.on('close', () => this.noteDown(new Error('the connection to Redis closed')));
    connection.on('ready', () => this.noteUp());
    return connection;
  }

  private async readLoop(): Promise<void> {
    while (!this.closing) {
      try {
        // Start after the newest entry: what came before this host started is in the database.
        if (this.lastId === null) {
          const newest = await this.untilClosed(this.newestId());
          if (newest === CLOSED) return;
          this.lastId = newest;
        }
        const lastId = this.lastId;
        const reply = await this.untilClosed(
          this.reader.xread('COUNT', READ_COUNT, 'BLOCK', READ_BLOCK_MS, 'STREAMS', this.streamKey, lastId),
        );
        if (reply === CLOSED) return;
        for (const [, entries] of reply ?? []) {
          for (const [id, fields] of entries) {
            this.lastId = id;
            this.receive(fields[fields.indexOf('e') + 1]);
          }
        }
      } catch (err) {
        if (this.closing) return;
        this.noteDown(err);
        // A read that fails at once (not an outage: the reader waits those out) must not spin.
        let timer: NodeJS.Timeout | undefined;
        await this.untilClosed(new Promise<void>((resolve) => (timer = setTimeout(resolve, RETRY_PAUSE_MS))));
        clearTimeout(timer);
      }
    }
  }

  /**
   * ioredis never settles a command queued while it reconnects if the connection is cut then,
   * so the loop stops waiting for it on close.
   */
  private untilClosed<T>(pending: Promise<T>): Promise<T | typeof CLOSED> {
    return Promise.race([pending, this.closed]);
  }

  private async newestId(): Promise<string> {
    const [newest] = await this.reader.xrevrange(this.streamKey, '+', '-', 'COUNT', 1);
    return newest?.[0] ?? '0-0';
  }

  private receive(text: string | undefined): void {
    // Parsing entries was a tenth of a busy cluster host's time, and a third of what it reads is its own.
    if (text?.startsWith(this.ownPrefix)) return;
    let envelope: ReturnType<typeof readEnvelope>;
    let err: unknown;
    try {
      envelope = readEnvelope(text);
    } catch (e) {
      [envelope, err] = [null, e];
    }
    if (!envelope) {
      // Not written by a host (or cut short): skipping it keeps the rest of the stream flowing.
      this.log.warn({ err }, 'skipped a bus entry that is not an event');
      return;
    }
    if (envelope.host === this.options.hostId) return;
    for (const event of envelope.events) {
      if (envelope.at !== undefined) this.options.metrics?.busEventReceived(envelope.at);
      this.local.publish(event);
    }
  }

  private noteDown(err: unknown): void {
    if (this.down || this.closing) return;
    this.down = true;
    this.log.warn(
      { err, dropped: this.dropped },
      'Redis is unreachable: events from other hosts wait, and clients catch up from the database',
    );
  }

  private noteUp(): void {
    if (!this.down || !this.isConnected()) return;
    this.down = false;
    this.log.info({ dropped: this.dropped }, 'Redis is reachable again');
    this.catchUp();
  }

  private catchUp(): void {
    for (const callback of this.reconnected) callback();
  }
}

/** QUIT after what is queued; a connection that is not up has nothing to flush and is cut. */
async function quit(connection: Redis): Promise<void> {
  if (connection.status !== 'ready') {
    connection.disconnect();
    return;
  }
  // A QUIT that fails means the connection broke meanwhile: cutting it is all that is left to do.
  await connection.quit().catch(() => connection.disconnect());
}
