import { inject, injectable } from 'tsyringe';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { AccountStatus, AdminUser, UserKind } from '../../sdk/protocol/message.js';
import { Tokens } from '../core/container-tokens.js';
import type { Clock } from '../core/clock.js';
import { isoTime } from '../core/iso-time.js';
import type { Database } from '../db/open-database.js';
import { passwordHasher } from './password-hasher.js';
import { TokenService } from './token-service.js';
import { ProfileService } from './profile-service.js';
import { toPublicUser, type UserRow } from './user-service.js';

export interface UserFilter {
  /** A handle prefix or a display-name substring, case-insensitive. */
  query?: string;
  kind?: UserKind;
  status?: AccountStatus;
  /** The handle the previous page ended with. */
  after?: string;
  limit: number;
}

export function toAdminUser(row: UserRow): AdminUser {
  return {
    ...toPublicUser(row),
    status: row.deactivated_at === null ? 'active' : 'deactivated',
    deactivatedAt: isoTime(row.deactivated_at),
  };
}

/** LIKE treats % and _ as wildcards; a search for them means the characters themselves. */
const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The operator's view of accounts: finding them, and deactivating, reactivating and changing them. */
@injectable()
export class AccountAdmin {
  constructor(
    @inject(Tokens.Database) private readonly db: Database,
    @inject(Tokens.Clock) private readonly clock: Clock,
    @inject(TokenService) private readonly tokens: TokenService,
    @inject(ProfileService) private readonly profiles: ProfileService,
  ) {}

  /** Ordered by handle; a page goes on after the last handle of the one before. */
  async list(filter: UserFilter): Promise<{ users: AdminUser[]; hasMore: boolean }> {
    const query = this.db
      .knex<UserRow>('users')
      .orderBy('handle_key')
      .limit(filter.limit + 1);
    if (filter.after !== undefined) query.where('handle_key', '>', filter.after.toLowerCase());
    if (filter.kind !== undefined) query.where('kind', filter.kind);
    if (filter.status === 'active') query.whereNull('deactivated_at');
    if (filter.status === 'deactivated') query.whereNotNull('deactivated_at');
    if (filter.query) {
      const needle = escapeLike(filter.query.toLowerCase());
      query.where((q) =>
        q
          .whereRaw(`handle_key like ? escape '\\'`, [`${needle}%`])
          .orWhereRaw(`lower(display_name) like ? escape '\\'`, [`%${needle}%`]),
      );
    }
    const rows = await query;
    return { users: rows.slice(0, filter.limit).map(toAdminUser), hasMore: rows.length > filter.limit };
  }

  async get(userId: string): Promise<AdminUser> {
    return toAdminUser(await this.row(userId));
  }

  /** Refuses logins and new tokens from now on, and ends every session the user has. Idempotent. */
  async deactivate(userId: string): Promise<AdminUser> {
    await this.db
      .knex('users')
      .where({ id: userId })
      .whereNull('deactivated_at')
      .update({ deactivated_at: this.clock.now() });
    // Also on a repeat: finishes a deactivation that stopped between its two steps.
    const row = await this.row(userId);
    // Its sockets close with account_deactivated, so its clients can tell the user why.
    await this.tokens.revokeAllOf(userId, 'account_deactivated');
    return toAdminUser(row);
  }

  /** Logins work again; the tokens revoked at deactivation stay revoked. */
  async reactivate(userId: string): Promise<AdminUser> {
    await this.db.knex('users').where({ id: userId }).update({ deactivated_at: null });
    return this.get(userId);
  }

  /** A new password, hashed as at registration; every token the user had stops working. */
  async setPassword(userId: string, password: string): Promise<void> {
    await this.row(userId);
    await this.db
      .knex('users')
      .where({ id: userId })
      .update({ password_hash: await passwordHasher.hash(password) });
    await this.tokens.revokeAllOf(userId);
  }

  /** Through the profile service, so the user's conversations hear of it as when the user changes it. */
  async setDisplayName(userId: string, displayName: string): Promise<AdminUser> {
    await this.profiles.setDisplayName(userId, displayName);
    return this.get(userId);
  }

  private async row(userId: string): Promise<UserRow> {
    const row = await this.db.knex<UserRow>('users').where({ id: userId }).first();
    if (!row) throw new SwitchboardError('user_not_found');
    return row;
  }
}
