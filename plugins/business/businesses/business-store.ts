import type { PluginContext } from '../../../sdk/index.js';
import { BusinessError } from '../business-error.js';
import { isId } from '../http-handling.js';
import type { BusinessRow } from './businesses.js';

/** How stale a business's settings may be on the per-message path (another host may have changed them). */
const RECENT_MS = 2_000;

/**
 * Reads and writes of business rows, with the recent reads this plugin instance keeps (two hosts
 * in one process each have their own, as each builds its own store in start()).
 */
export class BusinessStore {
  private readonly recentReads = new Map<string, { row: Promise<BusinessRow>; at: number }>();

  constructor(private readonly ctx: PluginContext) {}

  async get(id: unknown): Promise<BusinessRow> {
    const row = isId(id) ? await this.ctx.database.table<BusinessRow>('businesses').where({ id }).first() : null;
    if (!row) throw new BusinessError('business_not_found');
    this.recentReads.set(row.id, { row: Promise.resolve(row), at: Date.now() });
    return row;
  }

  /** The business as read at most RECENT_MS ago: the per-message path reads it for every customer message. */
  recent(id: string): Promise<BusinessRow> {
    const hit = this.recentReads.get(id);
    if (hit && Date.now() - hit.at < RECENT_MS) return hit.row;
    // Callers that come while it is read share the one read.
    const read = this.get(id);
    this.recentReads.set(id, { row: read, at: Date.now() });
    // A failed read is not kept for others; this caller still gets its error through `read`.
    read.catch(() => this.recentReads.delete(id));
    return read;
  }

  /** The most recently registered businesses, newest first. */
  newest(limit: number): Promise<BusinessRow[]> {
    return this.ctx.database.table<BusinessRow>('businesses').orderBy('created_at', 'desc').limit(limit).all();
  }

  /** Writes a change to a business and returns the row as stored. */
  async update(b: BusinessRow, patch: Partial<BusinessRow>): Promise<BusinessRow> {
    await this.ctx.database.table<BusinessRow>('businesses').where({ id: b.id }).update(patch);
    return this.get(b.id);
  }
}
