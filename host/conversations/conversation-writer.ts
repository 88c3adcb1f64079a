import type { Knex } from 'knex';
import { inject, injectable } from 'tsyringe';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import { GroupCommitQueue, type GroupCommitOutcome } from '../../sdk/plugin/group-commit-queue.js';
import { batchesInFlight } from '../db/batches-in-flight.js';
import { Tokens } from '../core/container-tokens.js';
import type { HostConfig } from '../config/host-config.js';
import type { CommittedEventOutbox, OutboxBatch } from '../core/extension-points.js';
import type { Database } from '../db/open-database.js';
import type { EventBus, HostEvent } from '../bus/event-bus.js';
import type { Logger } from '../logging/logger.js';
import type { HostMetrics } from '../metrics/host-metrics.js';
import { asSystemError } from '../db/database-errors.js';
import { applySends, DuplicateCheckNeeded, type NewMessage, type SendOutcome } from './apply-sends.js';
import { insertMessages, lockConversations, memberKey, saveCounters } from './conversation-counters.js';
import { isUniqueViolation } from '../db/unique-violation.js';
import { PlainSendPath, type PlainCommit } from './plain-send-path.js';
import { writeContext, type WriteContext } from './write-context.js';

export type { NewMessage, SendOutcome, WriteContext };

/** After a resend, batches check for resends for this long: resends come in bursts (a reconnect). */
const RESEND_BURST_MS = 1000;
/** Sends waiting before a batch starts beside the one in flight (GroupCommitQueue overlapAt). */
const OVERLAP_AT = 16;

type SendOp = { kind: 'send'; msg: NewMessage };
type CustomOp = { kind: 'custom'; conversationId: string; run: (ctx: WriteContext) => Promise<unknown> };
type Op = SendOp | CustomOp;
type Outcome = GroupCommitOutcome<unknown>;

/**
 * The only writer of per-conversation counters (seq, pts). It queues every change and commits
 * them in batches: one transaction, one fsync, many sends (group commit). The conversations'
 * rows are locked in id order, so hosts sharing a PostgreSQL database serialise per conversation
 * without deadlocks, and seq/pts stay gapless: a rolled-back batch takes its numbers with it.
 * Events are published only after the commit, in pts order; what plugins must handle is recorded
 * in the same transaction (the outbox). The queueing, batching and retrying
 * are the SDK's GroupCommitQueue; this class holds what a batch means for conversations.
 */
@injectable()
export class ConversationWriter {
  private readonly queue: GroupCommitQueue<Op, unknown>;
  private readonly allowAllForMembers: boolean;
  /** Until when batches look up their clientMsgIds before inserting (see RESEND_BURST_MS). */
  private checkExistingUntil = 0;
  /** PostgreSQL only: SQLite's transactions cost no round trips. */
  private readonly plainSends: PlainSendPath;

  constructor(
    @inject(Tokens.Database) private readonly db: Database,
    @inject(Tokens.Config) config: HostConfig,
    @inject(Tokens.EventBus) private readonly bus: EventBus,
    @inject(Tokens.Logger) private readonly log: Logger,
    @inject(Tokens.Metrics) private readonly metrics: HostMetrics,
    @inject(Tokens.Outbox) private readonly outbox: CommittedEventOutbox,
  ) {
    this.allowAllForMembers = config.mentions.allowAllForMembers;
    this.plainSends = new PlainSendPath(db, outbox);
    this.queue = new GroupCommitQueue<Op, unknown>({
      commit: (batch) => this.commitBatch(batch),
      maxBatch: config.messages.maxBatch,
      // Disjoint conversations commit side by side on PostgreSQL, one connection each; a
      // conversation's batches still commit one after another.
      maxInFlight: batchesInFlight(db, config.database.poolSize, config.messages.batchesInFlight),
      // A second batch only for a backlog: at a light load one transaction at a time gathers
      // more per commit, and several hosts' writers do not crowd the database with small ones.
      overlapAt: OVERLAP_AT,
      keyOf: (op) => (op.kind === 'send' ? op.msg.conversationId : op.conversationId),
      // One bad operation must not fail its neighbours.
      retryAlone: 'several',
      onRetry: (err, size) => this.log.warn({ err, size }, 'batch commit failed; retrying operations one by one'),
      failure: (err) => {
        this.log.error({ err }, 'conversation write failed');
        return asSystemError(err);
      },
      stopped: () => new SwitchboardError('shutting_down'),
    });
  }

  send(msg: NewMessage): Promise<SendOutcome> {
    return this.queue.push({ kind: 'send', msg }) as Promise<SendOutcome>;
  }

  /** Runs `run` in a batch transaction with `conversationId` locked; user errors undo only this op. */
  run<T>(conversationId: string, run: (ctx: WriteContext) => Promise<T>): Promise<T> {
    return this.queue.push({ kind: 'custom', conversationId, run }) as Promise<T>;
  }

  /** Finishes queued work and refuses new work. */
  stop(): Promise<void> {
    return this.queue.stop();
  }

  /**
   * The plain sends go first, by the short path (PlainSendPath); the rest of the batch in one
   * transaction. Each part's events are published once it has committed.
   */
  private async commitBatch(batch: Op[]): Promise<Outcome[]> {
    const outcomes: Outcome[] = new Array<Outcome>(batch.length);
    let left = batch.map((_, at) => at);
    if (Date.now() >= this.checkExistingUntil) {
      const items = batch.map((op) =>
        op.kind === 'send'
          ? { conversationId: op.msg.conversationId, send: op.msg }
          : { conversationId: op.conversationId, send: null },
      );
      let plain: PlainCommit | null = null;
      try {
        plain = await this.plainSends.commit(items, Date.now());
      } catch (err) {
        // A resend: the statement did nothing, and the transaction below looks it up.
        if (!isUniqueViolation(err)) throw err;
        this.checkExistingUntil = Date.now() + RESEND_BURST_MS;
      }
      if (plain) {
        for (const [at, outcome] of plain.outcomes) outcomes[at] = outcome;
        this.metrics.sendsCommitted('statement', plain.events.length);
        for (const event of plain.events) this.bus.publish(event);
        this.outbox.committed(await this.outbox.record(null, plain.events, plain.heard));
        left = plain.left;
      }
    }
    // Should this part fail, the queue retries the whole batch item by item: sends the statement
    // committed are then found by their clientMsgId and answered as duplicates, stored once.
    if (left.length > 0) {
      const rest = await this.commitInTransaction(left.map((at) => batch[at]!));
      left.forEach((at, k) => (outcomes[at] = rest[k]!));
    }
    this.metrics.batchCommitted(batch.length);
    return outcomes;
  }

  /**
   * One transaction for the operations; their events are published once it has committed. Sends
   * are left to the unique index to find resends, unless one was seen lately: a batch the index
   * refuses, or that would refuse a send, runs again with the lookup.
   */
  private async commitInTransaction(batch: Op[]): Promise<Outcome[]> {
    const outcomes: (Outcome | undefined)[] = [];
    const events: HostEvent[] = [];
    let recorded: OutboxBatch | null = null;
    const attempt = (checkExisting: boolean) =>
      this.db.knex.transaction(async (trx) => {
        outcomes.length = 0;
        events.length = 0;
        await this.applyBatch(trx, batch, outcomes, events, checkExisting);
        recorded = await this.outbox.record(trx, events);
      });
    const checkExisting = Date.now() < this.checkExistingUntil;
    try {
      await attempt(checkExisting);
    } catch (err) {
      if (checkExisting || !(err instanceof DuplicateCheckNeeded || isUniqueViolation(err))) throw err;
      this.checkExistingUntil = Date.now() + RESEND_BURST_MS;
      await attempt(true);
    }
    const sent = batch.filter(
      (op, i) => op.kind === 'send' && outcomes[i]?.ok && !(outcomes[i].value as SendOutcome).duplicate,
    );
    this.metrics.sendsCommitted('transaction', sent.length);
    for (const event of events) this.bus.publish(event);
    this.outbox.committed(recorded);
    for (let i = 0; i < batch.length; i++) outcomes[i] ??= { ok: false, error: new SwitchboardError('internal_error') };
    return outcomes as Outcome[];
  }

  /** Fills `outcomes` by position in `batch`. */
  private async applyBatch(
    trx: Knex.Transaction,
    batch: Op[],
    outcomes: (Outcome | undefined)[],
    events: HostEvent[],
    checkExisting: boolean,
  ): Promise<void> {
    const now = Date.now();
    const isPostgres = this.db.kind === 'postgres';
    const ids = [
      ...new Set(batch.map((op) => (op.kind === 'send' ? op.msg.conversationId : op.conversationId))),
    ].sort();
    const senderIds = [...new Set(batch.flatMap((op) => (op.kind === 'send' ? [op.msg.senderId] : [])))];
    const { counters, members, blocked } = await lockConversations(trx, ids, senderIds, isPostgres);

    const sendAt: number[] = [];
    batch.forEach((op, at) => {
      if (op.kind === 'send') sendAt.push(at);
    });
    if (sendAt.length > 0) {
      const sends = sendAt.map((at) => batch[at] as SendOp);
      const results = await applySends(
        trx,
        sends.map((s) => s.msg),
        {
          now,
          isPostgres,
          allowAllForMembers: this.allowAllForMembers,
          nextNumbers: (conversationId) => {
            const c = counters.get(conversationId)!;
            c.dirty = true;
            return { seq: ++c.lastSeq, pts: ++c.lastPts };
          },
          hasConversation: (conversationId) => counters.has(conversationId),
          isMember: (conversationId, senderId) => members.has(memberKey(conversationId, senderId)),
          isBlocked: (conversationId) => blocked.has(conversationId),
          // Only sends write to the counters: the last insert saves them too.
          insertRows: (rows) =>
            insertMessages(trx, rows, isPostgres && sendAt.length === batch.length ? { map: counters, now } : null),
          checkExisting,
        },
      );
      sends.forEach((op, i) => {
        const r = results[i]!;
        const at = sendAt[i]!;
        if (r.ok) {
          outcomes[at] = { ok: true, value: r.outcome };
          if (!r.outcome.duplicate) {
            events.push({
              type: 'message.changed',
              conversationId: op.msg.conversationId,
              pts: r.outcome.message.pts,
              change: 'created',
              message: r.outcome.message,
            });
          }
        } else outcomes[at] = { ok: false, error: r.error };
      });
    }

    for (let at = 0; at < batch.length; at++) {
      const op = batch[at]!;
      if (op.kind !== 'custom') continue;
      if (!counters.has(op.conversationId)) {
        outcomes[at] = { ok: false, error: new SwitchboardError('conversation_not_found') };
        continue;
      }
      const snapshot = new Map([...counters].map(([id, c]) => [id, { ...c }]));
      const local: HostEvent[] = [];
      try {
        const value = await trx.transaction(async (sp) =>
          op.run(writeContext(sp, now, isPostgres, op.conversationId, counters, local, blocked.has(op.conversationId))),
        );
        outcomes[at] = { ok: true, value };
        events.push(...local);
      } catch (err) {
        if (!(err instanceof SwitchboardError) || err.kind !== 'user') throw err;
        for (const [id, c] of snapshot) counters.set(id, c);
        outcomes[at] = { ok: false, error: err };
      }
    }

    await saveCounters(trx, counters, now);
  }
}
