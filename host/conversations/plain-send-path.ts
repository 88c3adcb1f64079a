import { LRUCache } from 'lru-cache';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { GroupCommitOutcome } from '../../sdk/plugin/group-commit-queue.js';
import type { CommittedEventOutbox, HeardInStatement } from '../core/extension-points.js';
import type { HostEvent } from '../bus/event-bus.js';
import type { NewMessage, SendOutcome } from './apply-sends.js';
import { toWireMessage } from './message-row.js';
import { commitPlainSends, isPlainSend } from './plain-sends.js';
import { commitPlainSendsSqlite } from './plain-sends-sqlite.js';
import type { Database } from '../db/open-database.js';

/** One operation of a writer batch, as the plain path sees it: a send, or anything else. */
export interface BatchItem {
  conversationId: string;
  send: NewMessage | null;
}

export interface PlainCommit {
  /** Each committed or refused send's outcome, by position in the batch. */
  outcomes: Map<number, GroupCommitOutcome<SendOutcome>>;
  /** The committed sends' events, in the batch's order. */
  events: HostEvent[];
  /** Positions left for the writer's transaction, in the batch's order. */
  left: number[];
  /** What the statement recorded for the listeners of new messages (the outbox's `heard`). */
  heard: HeardInStatement | null;
}

/** Conversations left to the transaction for a listener of new messages, remembered for a while (see `pick`). */
const HEARD_KEPT = 10_000;
const HEARD_TTL_MS = 60_000;

/**
 * The writer's short path: the plain sends of a batch committed in one statement on PostgreSQL
 * (plain-sends.ts) instead of a transaction of four round trips, and on SQLite in one synchronous
 * transaction outside knex (plain-sends-sqlite.ts). A conversation takes it only
 * when all of its operations in the batch are plain sends, so its order is the batch's. Where a
 * plugin's bot that listens for new messages is a member, its new messages must be recorded
 * with the commit: the short path records them too (the outbox's statementRecording). Without
 * such a recording, those conversations are left to the transaction, and remembered for a
 * minute, so that their sends do not pay the short path before the transaction.
 */
export class PlainSendPath {
  private readonly heard = new LRUCache<string, true>({ max: HEARD_KEPT, ttl: HEARD_TTL_MS });

  constructor(
    private readonly db: Database,
    private readonly outbox: CommittedEventOutbox,
  ) {}

  /** Commits what of `batch` may go the short way; null when nothing may (the caller commits it all). */
  async commit(batch: readonly BatchItem[], now: number): Promise<PlainCommit | null> {
    const picked = this.pick(batch);
    if (picked.length === 0) return null;
    const sends = picked.map((at) => batch[at]!.send!);
    const listeners = this.outbox.newMessageListeners();
    const recording = this.outbox.statementRecording?.(now) ?? null;
    const commit = this.db.kind === 'postgres' ? commitPlainSends : commitPlainSendsSqlite;
    const { results, heard } = await commit(this.db.knex, sends, now, listeners, recording);
    const outcomes: PlainCommit['outcomes'] = new Map();
    const events: HostEvent[] = [];
    results.forEach((r, k) => {
      const at = picked[k]!;
      if (r.kind === 'deferred') {
        if (r.heard) this.heard.set(batch[at]!.conversationId, true);
      } else if (r.kind === 'refused') {
        outcomes.set(at, { ok: false, error: new SwitchboardError('conversation_not_found') });
      } else {
        const message = toWireMessage(r.row);
        outcomes.set(at, { ok: true, value: { message, duplicate: false } });
        events.push({
          type: 'message.changed',
          conversationId: r.row.conversation_id,
          pts: r.row.pts,
          change: 'created',
          message,
        });
      }
    });
    const left = batch.map((_, at) => at).filter((at) => !outcomes.has(at));
    return { outcomes, events, left, heard };
  }

  /** Positions of the sends whose conversation has only plain sends in the batch and was not left to the transaction lately. */
  private pick(batch: readonly BatchItem[]): number[] {
    const excluded = new Set<string>();
    for (const item of batch)
      if (item.send === null || !isPlainSend(item.send) || this.heard.has(item.conversationId))
        excluded.add(item.conversationId);
    const picked: number[] = [];
    batch.forEach((item, at) => {
      if (!excluded.has(item.conversationId)) picked.push(at);
    });
    return picked;
  }
}
