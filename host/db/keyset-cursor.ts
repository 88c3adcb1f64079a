import type { Knex } from 'knex';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';

/** Where a page ordered by a time, then an id, both descending, stopped: its last row's. */
export interface KeysetPosition {
  /** Epoch ms. */
  at: number;
  id: string;
}

/** The `nextCursor` a client passes back as `cursor`: "<epoch ms>.<id>", opaque to it. */
export function keysetCursor(position: KeysetPosition): string {
  return `${position.at}.${position.id}`;
}

/** A cursor this host gave, or `invalid_request` naming `/query/cursor`. */
export function parseKeysetCursor(cursor: string): KeysetPosition {
  const match = /^(\d{1,16})\.(.{1,64})$/.exec(cursor);
  if (!match)
    throw new SwitchboardError('invalid_request', 'cursor is not one this host gave.', {
      details: [{ path: '/query/cursor', message: 'is not a cursor from a previous page' }],
    });
  return { at: Number(match[1]), id: match[2]! };
}

/** Keeps the rows after `position` in (time desc, id desc) order: pages neither repeat nor skip a row. */
export function afterPosition(query: Knex.QueryBuilder, time: string, id: string, position: KeysetPosition): void {
  query.andWhere((q) =>
    q.where(time, '<', position.at).orWhere((same) => same.where(time, position.at).andWhere(id, '<', position.id)),
  );
}

/**
 * A page read with `limit` + 1 rows: its first `limit` rows and the cursor after the last of them,
 * or all the rows and null when no more follow (always without `limit`).
 */
export function keysetPage<R>(
  rows: R[],
  limit: number | undefined,
  positionOf: (row: R) => KeysetPosition,
): { page: R[]; nextCursor: string | null } {
  if (limit === undefined || rows.length <= limit) return { page: rows, nextCursor: null };
  const page = rows.slice(0, limit);
  return { page, nextCursor: keysetCursor(positionOf(page.at(-1)!)) };
}
