import { inject, injectable } from 'tsyringe';
import { Tokens } from '../core/container-tokens.js';
import type { HostMetrics } from '../metrics/host-metrics.js';
import type { Connection } from './connection.js';

/** This host's live connections, by user and by token. */
@injectable()
export class ConnectionRegistry {
  private readonly byUser = new Map<string, Set<Connection>>();
  private readonly byToken = new Map<string, Set<Connection>>();
  private readonly all = new Set<Connection>();

  constructor(@inject(Tokens.Metrics) metrics: HostMetrics) {
    metrics.countConnectionsWith(() => this.all.size);
  }

  /** Returns true when this is the user's first connection on this host. */
  add(conn: Connection): boolean {
    this.all.add(conn);
    addTo(this.byToken, conn.tokenId, conn);
    return addTo(this.byUser, conn.userId, conn);
  }

  /** Returns true when the user has no connection left on this host. */
  remove(conn: Connection): boolean {
    if (!this.all.delete(conn)) return false;
    removeFrom(this.byToken, conn.tokenId, conn);
    return removeFrom(this.byUser, conn.userId, conn);
  }

  ofUser(userId: string): Set<Connection> | undefined {
    return this.byUser.get(userId);
  }

  ofToken(tokenId: string): Set<Connection> | undefined {
    return this.byToken.get(tokenId);
  }

  isOnline(userId: string): boolean {
    return this.byUser.has(userId);
  }

  connections(): IterableIterator<Connection> {
    return this.all.values();
  }

  get size(): number {
    return this.all.size;
  }
}

function addTo(map: Map<string, Set<Connection>>, key: string, conn: Connection): boolean {
  const set = map.get(key);
  if (set) {
    set.add(conn);
    return false;
  }
  map.set(key, new Set([conn]));
  return true;
}

function removeFrom(map: Map<string, Set<Connection>>, key: string, conn: Connection): boolean {
  const set = map.get(key);
  if (!set) return false;
  set.delete(conn);
  if (set.size > 0) return false;
  map.delete(key);
  return true;
}
