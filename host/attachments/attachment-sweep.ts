import { inject, injectable } from 'tsyringe';
import { Tokens } from '../core/container-tokens.js';
import type { Clock } from '../core/clock.js';
import type { HostConfig } from '../config/host-config.js';
import type { Database } from '../db/open-database.js';
import type { Logger } from '../logging/logger.js';
import { BlobRegistry } from './blob-registry.js';
import { UploadQuota } from './upload-quota.js';

/**
 * Every `attachments.sweepIntervalSeconds`: uploads never sent within `unsentTtlSeconds` are
 * deleted, then the blobs nothing refers to any more (BlobRegistry.sweep); so are expired quota
 * reservations and bytes staged by uploads a stopped host never finished. All are set-based
 * deletes whose conditions are checked again as they delete, so several hosts may sweep at once.
 * Ages are read from the host's clock: a test moves it instead of waiting a day.
 */
@injectable()
export class AttachmentSweep {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    @inject(Tokens.Database) private readonly db: Database,
    @inject(Tokens.Config) private readonly config: HostConfig,
    @inject(Tokens.Clock) private readonly clock: Clock,
    @inject(Tokens.Logger) private readonly log: Logger,
    @inject(BlobRegistry) private readonly blobs: BlobRegistry,
    @inject(UploadQuota) private readonly quota: UploadQuota,
  ) {}

  start(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => {
      if (this.running || this.stopped) return;
      this.running = this.sweep()
        .then(
          (swept) => {
            if (swept.uploads + swept.blobs > 0) this.log.info(swept, 'attachments swept');
          },
          (err: unknown) => this.log.error({ err }, 'attachment sweep failed'),
        )
        .finally(() => {
          this.running = null;
        });
    }, this.config.attachments.sweepIntervalSeconds * 1000);
    this.timer.unref();
  }

  /** Ends the timer and waits for a pass in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One pass; returns how many unsent uploads and blobs it deleted. */
  async sweep(): Promise<{ uploads: number; blobs: number }> {
    const cutoff = this.clock.now() - this.config.attachments.unsentTtlSeconds * 1000;
    // A send links its attachments under a row lock (PostgreSQL) or the one writer (SQLite), so an
    // upload is either linked first and kept, or deleted first and the send finds it missing.
    const uploads = await this.db
      .knex('attachments')
      .whereNull('message_id')
      .andWhere('created_at', '<', cutoff)
      .delete();
    await this.quota.sweep();
    await this.blobs.sweepStaged();
    return { uploads, blobs: await this.blobs.sweep() };
  }
}
