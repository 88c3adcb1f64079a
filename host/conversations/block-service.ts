import type { Knex } from 'knex';
import { inject, injectable } from 'tsyringe';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { BlockedUser, BlocksQuery, BlocksResult, UserBlockFrame } from '../../sdk/protocol/blocks.js';
import { Tokens } from '../core/container-tokens.js';
import type { Clock } from '../core/clock.js';
import { isoTime } from '../core/iso-time.js';
import type { Database } from '../db/open-database.js';
import { afterPosition, keysetPage, parseKeysetCursor } from '../db/keyset-cursor.js';
import type { EventBus } from '../bus/event-bus.js';
import { UserService } from '../auth/user-service.js';
import { ConversationWriter } from './conversation-writer.js';
import { directKeyOf, syncBlockFlag } from './block-flag.js';

interface BlockRow {
  blocker_id: string;
  blocked_id: string;
  created_at: number;
}

/**
 * Blocking a person. user_blocks holds who blocks whom; the pair's direct conversation carries
 * the flag every send path reads with the conversation's lock (conversations.blocked), changed in
 * the same transaction as the row, as a writer operation on that conversation: it serialises
 * with the sends, so none is let through after a block answers, nor refused after an unblock.
 * The flag closes the conversation to reactions and pins too (blocked-actions.ts), and to the
 * pair's typing and receipts (read-and-typing.ts); presence hides the pair everywhere
 * (presence-blocks.ts, kept by the `block.changed` event this publishes).
 * Groups are left as they are: the blocker only stops hearing of the other's messages there
 * (no push, no mention count). The blocker's other devices are told with a `user.block` frame.
 */
@injectable()
export class BlockService {
  constructor(
    @inject(Tokens.Database) private readonly db: Database,
    @inject(Tokens.EventBus) private readonly bus: EventBus,
    @inject(Tokens.Clock) private readonly clock: Clock,
    @inject(UserService) private readonly users: UserService,
    @inject(ConversationWriter) private readonly writer: ConversationWriter,
  ) {}

  /** Blocks `otherId`; blocking again changes nothing (the first time stays). */
  async block(userId: string, otherId: string): Promise<BlockedUser> {
    await this.assertOther(userId, otherId);
    const row: BlockRow = { blocker_id: userId, blocked_id: otherId, created_at: this.clock.now() };
    await this.change(userId, otherId, (trx) =>
      trx('user_blocks').insert(row).onConflict(['blocker_id', 'blocked_id']).ignore(),
    );
    const stored = await this.db
      .knex<BlockRow>('user_blocks')
      .where({ blocker_id: userId, blocked_id: otherId })
      .first();
    const blockedAt = stored?.created_at ?? row.created_at;
    this.bus.publish({ type: 'block.changed', blockerId: userId, userId: otherId, blockedAt });
    return { userId: otherId, blockedAt: isoTime(blockedAt) };
  }

  /** Unblocks `otherId`; one not blocked is left as it is. */
  async unblock(userId: string, otherId: string): Promise<void> {
    await this.assertOther(userId, otherId);
    await this.change(userId, otherId, (trx) =>
      trx('user_blocks').where({ blocker_id: userId, blocked_id: otherId }).delete(),
    );
    this.bus.publish({ type: 'block.changed', blockerId: userId, userId: otherId, blockedAt: null });
  }

  /**
   * Whom `userId` blocks, newest first (the blocked id breaks ties, so pages neither repeat nor
   * skip one), a page of `limit` after `cursor`; without `limit`, all of them.
   */
  async page(userId: string, query: BlocksQuery = {}): Promise<BlocksResult> {
    const listing = this.db.knex<BlockRow>('user_blocks').where({ blocker_id: userId });
    if (query.cursor !== undefined) afterPosition(listing, 'created_at', 'blocked_id', parseKeysetCursor(query.cursor));
    listing.orderBy([
      { column: 'created_at', order: 'desc' },
      { column: 'blocked_id', order: 'desc' },
    ]);
    if (query.limit !== undefined) listing.limit(query.limit + 1);
    const rows: BlockRow[] = await listing;
    const { page, nextCursor } = keysetPage(rows, query.limit, (last) => ({
      at: Number(last.created_at),
      id: last.blocked_id,
    }));
    return { blocks: page.map((r) => ({ userId: r.blocked_id, blockedAt: isoTime(r.created_at) })), nextCursor };
  }

  private async assertOther(userId: string, otherId: string): Promise<void> {
    if (userId === otherId) throw new SwitchboardError('invalid_operation', 'You cannot block yourself.');
    if ((await this.users.missing([otherId])).length > 0) throw new SwitchboardError('user_not_found');
  }

  /**
   * Writes the change to user_blocks and, when the pair has a direct conversation, its flag, in one
   * transaction under that conversation's lock. Without one, the row alone; should the
   * conversation have been created meanwhile without seeing the row (ConversationService.direct
   * looks again once it has committed), its flag is set in step here.
   */
  private async change(a: string, b: string, write: (trx: Knex.Transaction) => Promise<unknown>): Promise<void> {
    const direct = await this.directOf(a, b);
    if (direct !== null) {
      await this.writer.run(direct, async (ctx) => {
        await write(ctx.trx);
        await syncBlockFlag(ctx.trx, direct, a, b);
      });
      return;
    }
    await this.db.knex.transaction((trx) => write(trx));
    const created = await this.directOf(a, b);
    if (created !== null) await this.writer.run(created, (ctx) => syncBlockFlag(ctx.trx, created, a, b));
  }

  private async directOf(a: string, b: string): Promise<string | null> {
    const row = await this.db
      .knex('conversations')
      .where({ direct_key: directKeyOf(a, b) })
      .first<{ id: string } | undefined>('id');
    return row?.id ?? null;
  }
}

/** The frame the blocker's own sockets get when they block or unblock someone. */
export function blockFrame(userId: string, blockedAt: number | null): UserBlockFrame {
  return { type: 'user.block', userId, blockedAt: isoTime(blockedAt) };
}
