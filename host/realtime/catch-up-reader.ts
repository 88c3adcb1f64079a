import { inject, injectable } from 'tsyringe';
import type { Message } from '../../sdk/protocol/message.js';
import { Tokens } from '../core/container-tokens.js';
import type { HostConfig } from '../config/host-config.js';
import type { Database } from '../db/open-database.js';
import type { Logger } from '../logging/logger.js';
import type { HostMetrics } from '../metrics/host-metrics.js';
import { MessageStore } from '../messages/message-store.js';
import type { MessageRow } from '../conversations/message-row.js';
import type { CatchUp, Connection } from './connection.js';
import { messageChangeFrame } from '../messages/message-change.js';

/** Live changes kept per conversation while its catch-up reads; past it, the read is done again. */
export const MAX_LIVE_DURING_CATCH_UP = 256;

type Counters = Map<string, { last_pts: number; last_seq: number }>;

/**
 * Fills a connection's conversation from the database past its position: after a resume, at the
 * end of the hold, or at a gap. The database is the source of truth; what goes out is in pts
 * order, with no duplicates, and no faster than the client reads.
 */
@injectable()
export class CatchUpReader {
  constructor(
    @inject(Tokens.Config) private readonly config: HostConfig,
    @inject(Tokens.Database) private readonly db: Database,
    @inject(Tokens.Logger) private readonly log: Logger,
    @inject(Tokens.Metrics) private readonly metrics: HostMetrics,
    @inject(MessageStore) private readonly store: MessageStore,
  ) {}

  /**
   * Reads what the database has past the connection's position, then sends the live changes
   * that arrived during the read and follow on from it. Only a gap among those (or a request to
   * look again) reads again: had every live change meant another read, a conversation busier
   * than one read's time would never leave catch-up, and every delivery would cost a query.
   */
  async run(conn: Connection, conversationId: string): Promise<void> {
    if (conn.catchingUp.has(conversationId)) {
      conn.catchingUp.get(conversationId)!.dirty = true;
      return;
    }
    const state: CatchUp = { dirty: true, live: [] };
    conn.catchingUp.set(conversationId, state);
    const limit = this.config.websocket.resumeLimit;
    try {
      while (state.dirty && conn.isOpen) {
        state.dirty = false;
        // Changes that arrived before this read are committed, so the read has them.
        state.live = [];
        const from = conn.positions.get(conversationId) ?? 0;
        this.metrics.catchUpRead();
        const rows = await this.store.changesSince(conversationId, conn.userId, from, limit + 1);
        if (rows.length > limit) {
          const now = (await this.counters([conversationId])).get(conversationId);
          if (now) this.sendResync(conn, conversationId, now.last_pts, now.last_seq);
          state.dirty = true;
          continue;
        }
        const messages = await this.store.withReactions(this.db.knex, rows);
        const pace = this.pacer(conn);
        for (let i = 0; i < rows.length && conn.isOpen; i++) {
          await pace.ready();
          pace.sent(this.sendChange(conn, rows[i]!, messages[i]!, from));
        }
        if (!state.dirty) state.dirty = !(await this.sendLive(conn, conversationId, state, from));
      }
    } catch (err) {
      this.log.error(
        { err, conversationId, sessionId: conn.sessionId },
        'catch-up failed; closing the connection so the client resumes',
      );
      conn.closeWith('internal_error');
    } finally {
      conn.catchingUp.delete(conversationId);
    }
  }

  /** Tells the client to reload a conversation it is too far behind in, and moves past it. */
  sendResync(conn: Connection, conversationId: string, pts: number, seq: number): void {
    conn.positions.set(conversationId, Math.max(pts, conn.positions.get(conversationId) ?? 0));
    conn.send({ type: 'resync', conversationId, reason: 'too_far_behind', pts, seq });
  }

  /** The conversations' counters; with `memberId`, only of those that user is a member of. */
  async counters(ids: string[], memberId?: string): Promise<Counters> {
    if (ids.length === 0) return new Map();
    const knex = this.db.knex;
    const q = knex('conversations').whereIn('id', ids);
    if (memberId !== undefined)
      q.whereExists(
        knex('members')
          .whereRaw('members.conversation_id = conversations.id')
          .where('members.user_id', memberId)
          .select(knex.raw('1')),
      );
    const rows = await q.select<{ id: string; last_pts: number; last_seq: number }[]>('id', 'last_pts', 'last_seq');
    return new Map(rows.map((r) => [r.id, r]));
  }

  /** Sends the live changes past the position while they follow on; false at a gap. */
  private async sendLive(conn: Connection, conversationId: string, state: CatchUp, from: number): Promise<boolean> {
    let last = conn.positions.get(conversationId) ?? from;
    const pace = this.pacer(conn);
    // Changes from other hosts may arrive out of order.
    for (const change of state.live.sort((a, b) => a.pts - b.pts)) {
      if (change.pts <= last) continue;
      if (change.pts !== last + 1) return false;
      await pace.ready();
      last = change.pts;
      conn.positions.set(conversationId, last);
      pace.sent(conn.sendWritten(change.frame, change.type));
    }
    state.live = [];
    return true;
  }

  /**
   * Past a quarter of websocket.maxBufferedBytes queued, `ready()` waits for the last frame sent
   * to be written. A catch-up (up to resumeLimit changes) sent in one go could be more than the
   * kernel takes at once, and its own bytes would have the reader closed as a slow consumer.
   */
  private pacer(conn: Connection): { ready(): Promise<void>; sent(written: Promise<void>): void } {
    const threshold = this.config.websocket.maxBufferedBytes / 4;
    let last: Promise<void> | null = null;
    return {
      ready: async () => {
        if (last && conn.ws.bufferedAmount > threshold) await last;
      },
      sent: (written) => {
        last = written;
      },
    };
  }

  private sendChange(conn: Connection, row: MessageRow, message: Message, from: number): Promise<void> {
    // Created since the client's position: it never saw the message, so it arrives as new.
    const change =
      row.created_pts > from
        ? 'created'
        : row.deleted_at !== null
          ? 'deleted'
          : row.edited_at !== null
            ? 'edited'
            : 'reaction';
    const frame = messageChangeFrame(row.conversation_id, row.pts, change, message);
    conn.positions.set(row.conversation_id, row.pts);
    return conn.sendWritten(JSON.stringify(frame), frame.type);
  }
}
