import type { Database } from '../db/open-database.js';

/** Old entries one DELETE removes: each statement stays short, however far behind a plugin's log is. */
const TRIM_BATCH = 1_000;

/**
 * Keeps each plugin's share of the audit log to `keep` entries (plugins.auditEntriesPerPlugin).
 * Every side effect is one entry, and a call such as storage.set of the same key costs the plugin
 * no quota, so without this a plugin repeating it fills the host's disk. Each plugin's oldest
 * entries go first, so a flood erases only the flooding plugin's own history. A plugin is trimmed
 * once it has written a tenth of `keep` entries since its last trim (counted by this host): the
 * walk to its `keep`-th newest entry is paid for by many entries, and its log never holds more
 * than about 1.1 × `keep` plus what other hosts wrote meanwhile.
 */
export class AuditTrim {
  private readonly written = new Map<string, number>();
  private readonly trimming = new Set<string>();
  private readonly every: number;

  constructor(
    private readonly db: Database,
    private readonly keep: number,
  ) {
    this.every = Math.max(1, Math.ceil(keep / 10));
  }

  /** Counts `count` new entries of the plugin; returns its trim when one is due (null otherwise). */
  wrote(pluginId: string, count: number): Promise<void> | null {
    const total = (this.written.get(pluginId) ?? 0) + count;
    this.written.set(pluginId, total);
    if (total < this.every || this.trimming.has(pluginId)) return null;
    return this.trimDue(pluginId);
  }

  /** Trims, and again while the entries written meanwhile make another trim due: none is skipped for good. */
  private async trimDue(pluginId: string): Promise<void> {
    this.trimming.add(pluginId);
    try {
      while ((this.written.get(pluginId) ?? 0) >= this.every) {
        this.written.set(pluginId, 0);
        await this.trim(pluginId);
      }
    } finally {
      this.trimming.delete(pluginId);
    }
  }

  private async trim(pluginId: string): Promise<void> {
    const knex = this.db.knex;
    // The index on (plugin_id, id) walks from the newest entry to the first one past the cap.
    const edge = await knex('audit_log')
      .where({ plugin_id: pluginId })
      .orderBy('id', 'desc')
      .offset(this.keep)
      .first<{ id: number | string } | undefined>('id');
    if (!edge) return;
    for (;;) {
      const oldest = knex('audit_log')
        .select('id')
        .where({ plugin_id: pluginId })
        .andWhere('id', '<=', edge.id)
        .orderBy('id')
        .limit(TRIM_BATCH);
      const deleted = await knex('audit_log').whereIn('id', oldest).delete();
      if (deleted < TRIM_BATCH) return;
    }
  }
}
