import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { inject, injectable } from 'tsyringe';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import { Tokens } from '../core/container-tokens.js';
import type { Clock } from '../core/clock.js';
import type { HostConfig } from '../config/host-config.js';
import type { Database } from '../db/open-database.js';
import { BLOB_GRACE_MS } from './blob-registry.js';
import type { AttachmentRow } from './attachment-row.js';

/** Bytes an upload in progress may store; it counts against its owner's quota until it ends. */
export interface Reservation {
  readonly id: string;
  readonly ownerId: string;
  readonly bytes: number;
}

/**
 * `attachments.quotaBytes` for uploads that run at the same time. The check and what it lets
 * through happen in one transaction that holds the owner's row lock (PostgreSQL; SQLite has one
 * writer): an upload first reserves its bytes, counted alongside the stored attachments and the
 * other uploads' reservations, and its row later replaces the reservation, checked again with the
 * size actually stored (a re-encoded image may differ). A failed upload releases its reservation;
 * one a crash left behind stops counting at `expires_at` and the sweep deletes it.
 */
@injectable()
export class UploadQuota {
  constructor(
    @inject(Tokens.Database) private readonly db: Database,
    @inject(Tokens.Config) private readonly config: HostConfig,
    @inject(Tokens.Clock) private readonly clock: Clock,
  ) {}

  /**
   * Reserves `bytes` for `ownerId`, or refuses with `attachment_quota_exceeded`. With `upTo`, the
   * size is unknown (a body without a Content-Length): it reserves what is left of the quota, at
   * most `bytes`, and the upload is cut where the reservation ends.
   */
  reserve(ownerId: string, bytes: number, upTo = false): Promise<Reservation> {
    return this.db.knex.transaction(async (trx) => {
      const used = await this.usedLocked(trx, ownerId, null);
      const left = this.config.attachments.quotaBytes - used;
      const size = upTo ? Math.max(0, Math.min(bytes, left)) : bytes;
      if (size > left) throw quotaExceeded(size, this.config.attachments.quotaBytes, used);
      const reservation = { id: randomUUID(), ownerId, bytes: size };
      await trx('attachment_reservations').insert({
        id: reservation.id,
        owner_id: ownerId,
        bytes: size,
        expires_at: this.clock.now() + BLOB_GRACE_MS,
      });
      return reservation;
    });
  }

  /** Stores the upload's row in place of its reservation, if its stored size still fits. */
  async commit(reservation: Reservation, row: AttachmentRow): Promise<void> {
    await this.db.knex.transaction(async (trx) => {
      const used = await this.usedLocked(trx, reservation.ownerId, reservation.id);
      const quota = this.config.attachments.quotaBytes;
      if (used + row.size > quota) throw quotaExceeded(row.size, quota, used);
      await trx('attachment_reservations').where({ id: reservation.id }).delete();
      await trx('attachments').insert(row);
    });
  }

  /** Gives the reservation's bytes back (an upload that failed); releasing twice is harmless. */
  async release(reservation: Reservation): Promise<void> {
    await this.db.knex('attachment_reservations').where({ id: reservation.id }).delete();
  }

  /** Deletes reservations past their expiry (left by a host that stopped mid-upload); returns how many. */
  sweep(): Promise<number> {
    return this.db.knex('attachment_reservations').where('expires_at', '<', this.clock.now()).delete();
  }

  /**
   * What `ownerId` holds, stored and reserved (but for `except`), read under the owner's lock so
   * that no other upload of theirs checks or commits until this transaction ends.
   */
  private async usedLocked(trx: Knex.Transaction, ownerId: string, except: string | null): Promise<number> {
    // NO KEY UPDATE, not UPDATE: rows that merely refer to the user (their messages) go on unhindered.
    // Its own statement: sums read in the statement that waited for the lock would still see what
    // was committed before the wait (READ COMMITTED takes one snapshot per statement).
    if (this.db.kind === 'postgres') await trx('users').where({ id: ownerId }).forNoKeyUpdate().first('id');
    const stored = trx('attachments').where({ owner_id: ownerId }).select(trx.raw('coalesce(sum(size), 0)'));
    const held = trx('attachment_reservations')
      .where({ owner_id: ownerId })
      .andWhere('expires_at', '>=', this.clock.now())
      .select(trx.raw('coalesce(sum(bytes), 0)'));
    if (except) held.andWhereNot({ id: except });
    // Both sums in one round trip: each one waits its turn for a core while images are decoded.
    // A select without FROM: always one row, and each coalesced sum is never null.
    const [row] = await trx.select<{ stored: string | number; held: string | number }[]>(
      stored.as('stored'),
      held.as('held'),
    );
    return Number(row!.stored) + Number(row!.held);
  }
}

export function quotaExceeded(adding: number, quota: number, used: number): SwitchboardError {
  return new SwitchboardError(
    'attachment_quota_exceeded',
    `This upload of ${adding} bytes would take you past your quota of ${quota} bytes (${used} used or being uploaded).`,
  );
}
