import { inject, injectable } from 'tsyringe';
import type { ResumeResult, ResumeStatus } from '../../sdk/protocol/frames.js';
import { Tokens } from '../core/container-tokens.js';
import type { HostConfig } from '../config/host-config.js';
import type { Database } from '../db/open-database.js';
import type { HostEventOf } from '../bus/event-bus.js';
import type { Logger } from '../logging/logger.js';
import type { Connection } from './connection.js';
import { CatchUpReader, MAX_LIVE_DURING_CATCH_UP } from './catch-up-reader.js';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';

type Change = HostEventOf<'message.changed'>;

/**
 * Puts each connection's message frames in strict pts order per conversation, with no
 * duplicates. Live events go out directly when they are the next pts; anything else (a gap,
 * a resume, the end of the hold) is filled from the database, which is the source of truth.
 */
@injectable()
export class ChangeStream {
  constructor(
    @inject(Tokens.Config) private readonly config: HostConfig,
    @inject(Tokens.Database) private readonly db: Database,
    @inject(Tokens.Logger) private readonly log: Logger,
    @inject(CatchUpReader) private readonly catchUps: CatchUpReader,
  ) {}

  /** A committed change reached this connection; `frame` is the shared serialized frame. */
  deliver(conn: Connection, event: Change, frame: Buffer): void {
    const conversationId = event.conversationId;
    if (conn.holding) {
      if (!conn.holding.has(conversationId)) conn.holding.set(conversationId, event.pts - 1);
      return;
    }
    const type = event.change === 'created' ? 'message.created' : 'message.updated';
    const pending = conn.catchingUp.get(conversationId);
    if (pending) {
      if (pending.live.length < MAX_LIVE_DURING_CATCH_UP) pending.live.push({ pts: event.pts, frame, type });
      else pending.dirty = true;
      return;
    }
    const last = conn.positions.get(conversationId) ?? this.start(conn, conversationId);
    if (last === undefined || event.pts === last + 1) {
      conn.positions.set(conversationId, event.pts);
      conn.sendRaw(frame, type);
    } else if (event.pts > last + 1) {
      void this.catchUps.run(conn, conversationId);
    }
  }

  /**
   * Where a new connection starts in each of its conversations: the pts of now, read after the
   * connection is registered (so later changes reach it, held) and before `ready` (so every change
   * a client makes after it is later). A resume then moves these where the client says.
   */
  async setStarts(conn: Connection): Promise<void> {
    try {
      const rows = await this.conversationsOf(conn.userId);
      const starts = (conn.startsAt ??= new Map());
      for (const r of rows) if (!starts.has(r.id)) starts.set(r.id, Number(r.last_pts));
    } catch (err) {
      // Without starts a conversation starts at its first change to arrive, as a client that resumes never notices.
      this.log.warn({ err, sessionId: conn.sessionId }, 'could not read where a new connection starts');
    }
  }

  /** Ends the hold: every conversation that had events meanwhile is caught up from the database. */
  releaseHold(conn: Connection, except: ReadonlySet<string> = new Set()): void {
    const held = conn.holding;
    if (!held) return;
    conn.holding = null;
    if (conn.holdTimer) {
      clearTimeout(conn.holdTimer);
      conn.holdTimer = null;
    }
    for (const [conversationId, before] of held) {
      if (except.has(conversationId) || conn.positions.has(conversationId)) continue;
      // Held changes from before the connection's start were committed before it opened.
      const start = conn.startsAt?.get(conversationId);
      conn.startsAt?.delete(conversationId);
      conn.positions.set(conversationId, Math.max(before, start ?? before));
      void this.catchUps.run(conn, conversationId);
    }
  }

  async resume(conn: Connection, positions: readonly { conversationId: string; pts: number }[]): Promise<ResumeResult> {
    refuseRepeats(positions);
    const memberships = await this.conversationsOf(conn.userId);
    const current = new Map(memberships.map((m) => [m.id, m]));
    const listed = new Set(positions.map((p) => p.conversationId));
    const wasHolding = conn.holding !== null;
    const statuses: ResumeStatus[] = [];
    const work: Promise<void>[] = [];
    for (const { conversationId, pts } of positions) {
      const now = current.get(conversationId);
      if (!now) {
        statuses.push({ conversationId, status: 'not_found' });
        continue;
      }
      const delivered = conn.positions.get(conversationId);
      // Frames after `pts` already went out on this connection; replaying them would break order.
      const replayed = !wasHolding && delivered !== undefined && pts < delivered;
      // A pts the conversation never reached (a client restored from a backup, or a buggy one):
      // taken as it is, every live change below it would be skipped as already delivered.
      const unreached = pts > now.last_pts;
      if (replayed || unreached || now.last_pts - pts > this.config.websocket.resumeLimit) {
        this.catchUps.sendResync(conn, conversationId, now.last_pts, now.last_seq);
        statuses.push({ conversationId, status: 'resync', pts: now.last_pts, seq: now.last_seq });
        // Changes committed since the counters were read were held (and the hold ends without
        // them, as the conversation is listed): they follow the resync's pts.
        work.push(this.catchUps.run(conn, conversationId));
      } else {
        conn.positions.set(conversationId, Math.max(pts, delivered ?? pts));
        work.push(this.catchUps.run(conn, conversationId));
        statuses.push({ conversationId, status: 'caught_up', pts: 0, seq: 0 });
      }
    }
    this.releaseHold(conn, listed);
    await Promise.all(work);
    // Read as a member: one removed while this resume ran had its notice dropped with the hold
    // (forget()) or found no change to catch up (changesSince reads members' changes only), so
    // only not_found tells the client.
    const after = await this.catchUps.counters(
      statuses.filter((s) => s.status === 'caught_up').map((s) => s.conversationId),
      conn.userId,
    );
    for (let i = 0; i < statuses.length; i++) {
      const s = statuses[i]!;
      if (s.status !== 'caught_up') continue;
      if (!after.has(s.conversationId)) {
        this.forget(conn, s.conversationId);
        statuses[i] = { conversationId: s.conversationId, status: 'not_found' };
        continue;
      }
      statuses[i] = {
        conversationId: s.conversationId,
        status: 'caught_up',
        pts: conn.positions.get(s.conversationId) ?? 0,
        seq: after.get(s.conversationId)?.last_seq ?? 0,
      };
    }
    const joined = memberships
      .filter((m) => !listed.has(m.id))
      .map((m) => ({ conversationId: m.id, pts: m.last_pts, seq: m.last_seq }));
    // The client is told where joined conversations stand: it starts there.
    for (const j of joined) {
      if (conn.positions.has(j.conversationId)) continue;
      (conn.startsAt ??= new Map()).set(j.conversationId, j.pts);
    }
    for (const id of listed) conn.startsAt?.delete(id);
    return { conversations: statuses, joined };
  }

  /** Sends what the database has past the connection's position (a change this host never heard of). */
  fillGap(conn: Connection, conversationId: string): void {
    if (conn.holding) return;
    if (!conn.positions.has(conversationId) && this.start(conn, conversationId) === undefined) return;
    void this.catchUps.run(conn, conversationId);
  }

  /** Moves a conversation's starting point, if the client has one, into its position. */
  private start(conn: Connection, conversationId: string): number | undefined {
    const at = conn.startsAt?.get(conversationId);
    if (at === undefined) return undefined;
    conn.startsAt!.delete(conversationId);
    conn.positions.set(conversationId, at);
    return at;
  }

  /** Forgets a conversation the user left, so a later re-join starts cleanly. */
  forget(conn: Connection, conversationId: string): void {
    conn.startsAt?.delete(conversationId);
    conn.positions.delete(conversationId);
    conn.holding?.delete(conversationId);
  }

  /** The user's conversations with their counters now. */
  private conversationsOf(userId: string): Promise<{ id: string; last_pts: number; last_seq: number }[]> {
    return this.db
      .knex('members as m')
      .join('conversations as c', 'c.id', 'm.conversation_id')
      .where('m.user_id', userId)
      .select<{ id: string; last_pts: number; last_seq: number }[]>('c.id', 'c.last_pts', 'c.last_seq');
  }
}

/**
 * A conversation listed twice would be answered twice, from two positions: which one the client
 * meant cannot be known, so the whole resume is refused before anything moves.
 */
function refuseRepeats(positions: readonly { conversationId: string }[]): void {
  const first = new Map<string, number>();
  positions.forEach(({ conversationId }, i) => {
    const at = first.get(conversationId);
    if (at === undefined) first.set(conversationId, i);
    else
      throw new SwitchboardError('invalid_request', 'A conversation is listed twice in this resume.', {
        details: [{ path: `/conversations/${i}/conversationId`, message: `repeats /conversations/${at}` }],
      });
  });
}
