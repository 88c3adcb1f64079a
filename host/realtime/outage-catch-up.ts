import { inject, injectable } from 'tsyringe';
import { Tokens } from '../core/container-tokens.js';
import type { EventBus } from '../bus/event-bus.js';
import type { Database } from '../db/open-database.js';
import type { Logger } from '../logging/logger.js';
import { MemberDirectory } from '../conversations/member-directory.js';
import { ChangeStream } from './change-stream.js';
import { ConnectionRegistry } from './connection-registry.js';

const CHUNK = 1_000;

/**
 * What other hosts committed while the bus was down never reaches this host as events. When the
 * bus is back, the conversations this host's sockets follow are compared with the database (one
 * query per thousand), and each socket behind is caught up from it at once, rather than at that
 * conversation's next change or the client's next resume. Cached member lists are dropped too,
 * since membership changes made meanwhile were missed as well.
 */
@injectable()
export class OutageCatchUp {
  private off: (() => void) | null = null;

  constructor(
    @inject(Tokens.EventBus) private readonly bus: EventBus,
    @inject(Tokens.Database) private readonly db: Database,
    @inject(Tokens.Logger) private readonly log: Logger,
    @inject(ConnectionRegistry) private readonly registry: ConnectionRegistry,
    @inject(MemberDirectory) private readonly directory: MemberDirectory,
    @inject(ChangeStream) private readonly stream: ChangeStream,
  ) {}

  start(): void {
    this.off = this.bus.onReconnected?.(() => void this.catchUp()) ?? null;
  }

  stop(): void {
    this.off?.();
    this.off = null;
  }

  private async catchUp(): Promise<void> {
    this.directory.forgetAll();
    const followed = new Set<string>();
    for (const conn of this.registry.connections()) {
      for (const id of conn.positions.keys()) followed.add(id);
      for (const id of conn.startsAt?.keys() ?? []) followed.add(id);
    }
    if (followed.size === 0) return;
    try {
      const ids = [...followed];
      const latest = new Map<string, number>();
      for (let i = 0; i < ids.length; i += CHUNK) {
        const rows = await this.db
          .knex('conversations')
          .whereIn('id', ids.slice(i, i + CHUNK))
          .select<{ id: string; last_pts: number | string }[]>('id', 'last_pts');
        for (const r of rows) latest.set(r.id, Number(r.last_pts));
      }
      let behind = 0;
      for (const conn of this.registry.connections()) {
        for (const [conversationId, pts] of [...conn.positions, ...(conn.startsAt ?? [])]) {
          const last = latest.get(conversationId);
          if (last === undefined || last <= pts) continue;
          behind++;
          this.stream.fillGap(conn, conversationId);
        }
      }
      if (behind > 0) this.log.info({ behind }, 'caught sockets up on changes made while Redis was down');
    } catch (err) {
      this.log.warn({ err }, 'could not catch sockets up after Redis came back; they catch up at the next change');
    }
  }
}
