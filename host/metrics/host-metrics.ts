import { performance } from 'node:perf_hooks';
import type { Knex } from 'knex';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ClientFrame, ServerFrame } from '../../sdk/protocol/frames.js';
import { AppGauges } from './app-gauges.js';
import { PluginEventMetrics } from './plugin-event-metrics.js';
import { FrameCounts } from './frame-counts.js';
import { PluginCallMetrics } from './plugin-call-metrics.js';
import { PluginMetrics } from './plugin-metrics.js';
import { PushMetrics } from './push-metrics.js';
import { LinkPreviewMetrics } from './link-preview-metrics.js';
import { ReportMetrics } from './report-metrics.js';

const CLIENT_FRAMES: Record<ClientFrame['type'], true> = {
  auth: true,
  send: true,
  edit: true,
  delete: true,
  react: true,
  pin: true,
  unpin: true,
  pins: true,
  read: true,
  typing: true,
  history: true,
  resume: true,
  'presence.subscribe': true,
  'presence.unsubscribe': true,
  ping: true,
  command: true,
  postback: true,
};
const SERVER_FRAMES: Record<ServerFrame['type'], true> = {
  ready: true,
  result: true,
  error: true,
  'message.created': true,
  'message.updated': true,
  receipt: true,
  typing: true,
  presence: true,
  resync: true,
  pong: true,
  'user.updated': true,
  'conversation.mute': true,
  'conversation.archive': true,
  'thread.read': true,
  'thread.unread': true,
  'user.block': true,
};

/** Seconds, from 100 µs (a local SQLite read) to 10 s. */
const LATENCY_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

/**
 * The host's metrics, on a registry of its own: several hosts in one process (tests, embedders)
 * keep separate counts, and prom-client's global registry stays untouched. Each hot path gets a
 * ready-made recorder (a counter cell, a histogram without labels, cached label children), so
 * recording costs a few hundred nanoseconds at most; gauges are read when scraped.
 */
export class HostMetrics {
  readonly registry = new Registry();
  readonly framesIn = new FrameCounts(
    this.registry,
    'switchboard_ws_frames_in_total',
    'WebSocket frames received, by type (unknown types, binary and bad JSON: "other").',
    Object.keys(CLIENT_FRAMES),
  );
  readonly framesOut = new FrameCounts(
    this.registry,
    'switchboard_ws_frames_out_total',
    'WebSocket frames sent, by type (a fan-out counts one per socket).',
    Object.keys(SERVER_FRAMES),
  );
  readonly pluginCalls = new PluginCallMetrics(this.registry);
  /** What plugins define through ctx.metrics. */
  readonly plugins = new PluginMetrics(this.registry);
  readonly apps = new AppGauges(this.registry);
  readonly pluginEvents = new PluginEventMetrics(this.registry);
  readonly push = new PushMetrics(this.registry);
  readonly linkPreviews = new LinkPreviewMetrics(this.registry);
  readonly reports = new ReportMetrics(this.registry);
  private connectionCount: () => number = () => 0;
  private readonly catchUps = new Counter({
    name: 'switchboard_catch_up_reads_total',
    help: "Reads of a conversation's changes from the database for one connection (a resume, the end of the hold after ready, a gap in live events).",
    registers: [this.registry],
  });
  private readonly segmentsBuilt = new Counter({
    name: 'switchboard_search_segments_built_total',
    help: 'Search segments made or extended by this host behind the writer (PostgreSQL): messages covered by the search index. words: where their words were cut (host: as the messages committed; database: from the stored messages).',
    labelNames: ['words'] as const,
    registers: [this.registry],
  });
  private readonly messagesIndexed = new Counter({
    name: 'switchboard_search_messages_indexed_total',
    help: 'Text messages indexed for search by this host behind the writer (SQLite).',
    registers: [this.registry],
  });
  private readonly sendsCommittedBy = new Counter({
    name: 'switchboard_sends_committed_total',
    help: 'New messages committed by the conversation writer, by path: "statement" (plain sends: one statement a batch on PostgreSQL, one synchronous transaction on SQLite) or "transaction".',
    labelNames: ['path'],
    registers: [this.registry],
  });
  private readonly auditLost = new Counter({
    name: 'switchboard_audit_entries_lost_total',
    help: "Audit log entries the database refused (the plugin call they record had already succeeded); the host's log says why.",
    registers: [this.registry],
  });
  private readonly sendAck = new Histogram({
    name: 'switchboard_send_ack_seconds',
    help: 'From a send entering the host (frame, HTTP or plugin) to its acknowledgement, after the commit.',
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly batchSizes = new Histogram({
    name: 'switchboard_commit_batch_size',
    help: "Operations in each committed batch of the conversation writer's group commit.",
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
    registers: [this.registry],
  });
  private readonly queries = new Histogram({
    name: 'switchboard_db_query_seconds',
    help: 'Database query latency, from knex sending a query to its answer (errors included).',
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly busLag = new Histogram({
    name: 'switchboard_bus_lag_seconds',
    help: "From an event's publish on another host to its receipt here through the bus (host clocks must agree).",
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  /** `knex`: the database whose queries are timed. */
  constructor(options: { processMetrics: boolean; knex?: Knex }) {
    if (options.knex) this.timeQueries(options.knex);
    const count = () => this.connectionCount();
    new Gauge({
      name: 'switchboard_ws_connections',
      help: 'Authenticated WebSocket connections open on this host.',
      registers: [this.registry],
      collect() {
        this.set(count());
      },
    });
    // CPU, memory, event loop lag, GC: observers that live as long as the process, so only a host
    // that serves /metrics starts them.
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** The connection registry tells how many sockets are open, when scraped. */
  countConnectionsWith(count: () => number): void {
    this.connectionCount = count;
  }

  sendAcknowledged(startedAt: number): void {
    this.sendAck.observe((performance.now() - startedAt) / 1000);
  }

  batchCommitted(size: number): void {
    this.batchSizes.observe(size);
  }

  sendsCommitted(path: 'statement' | 'transaction', count: number): void {
    if (count > 0) this.sendsCommittedBy.inc({ path }, count);
  }

  searchSegmentsBuilt(count: number, words: 'host' | 'database'): void {
    if (count > 0) this.segmentsBuilt.inc({ words }, count);
  }

  searchMessagesIndexed(count: number): void {
    if (count > 0) this.messagesIndexed.inc(count);
  }

  auditEntriesLost(count: number): void {
    this.auditLost.inc(count);
  }

  catchUpRead(): void {
    this.catchUps.inc();
  }

  /** `publishedAt`: the publishing host's Date.now(); a clock behind ours shows as no lag, not a negative one. */
  busEventReceived(publishedAt: number): void {
    this.busLag.observe(Math.max(0, Date.now() - publishedAt) / 1000);
  }

  /** Times every query of `knex` by its query id (knex reports the start and the end or error). */
  private timeQueries(knex: Knex): void {
    const started = new Map<string, number>();
    const end = (_: unknown, query: { __knexQueryUid?: string }) => {
      const uid = query.__knexQueryUid;
      const at = uid === undefined ? undefined : started.get(uid);
      if (at === undefined) return;
      started.delete(uid!);
      this.queries.observe((performance.now() - at) / 1000);
    };
    knex.on('query', (query: { __knexQueryUid?: string }) => {
      if (query.__knexQueryUid !== undefined) started.set(query.__knexQueryUid, performance.now());
    });
    knex.on('query-response', end);
    knex.on('query-error', end);
  }

  /** The Prometheus text exposition of every metric. */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
