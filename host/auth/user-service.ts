import { randomUUID } from 'node:crypto';
import { inject, injectable } from 'tsyringe';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { PublicUser, UserKind } from '../../sdk/protocol/message.js';
import { Tokens } from '../core/container-tokens.js';
import type { Database } from '../db/open-database.js';
import { isUniqueViolation } from '../db/unique-violation.js';
import { DUMMY_HASH, passwordHasher } from './password-hasher.js';
import type { Clock } from '../core/clock.js';

export interface UserRow {
  id: string;
  handle: string;
  handle_key: string;
  display_name: string;
  kind: UserKind;
  password_hash: string | null;
  created_at: number;
  /** Set while an operator has the account deactivated. */
  deactivated_at: number | null;
  /** The avatar's blob; null without one. */
  avatar_hash: string | null;
}

/** The columns toPublicUser reads, for a query that names what it selects. */
export const PUBLIC_USER_COLUMNS = ['id', 'handle', 'display_name', 'kind', 'created_at', 'avatar_hash'] as const;

export function toPublicUser(row: Pick<UserRow, (typeof PUBLIC_USER_COLUMNS)[number]>): PublicUser {
  return {
    id: row.id,
    handle: row.handle,
    displayName: row.display_name,
    kind: row.kind,
    createdAt: new Date(row.created_at).toISOString(),
    avatarUrl: avatarUrlOf(row.avatar_hash),
  };
}

/** Avatars are served by content hash, so a URL never changes meaning and may be cached for ever. */
export function avatarUrlOf(hash: string | null): string | null {
  return hash === null ? null : `/v1/avatars/${hash}`;
}

@injectable()
export class UserService {
  constructor(
    @inject(Tokens.Database) private readonly db: Database,
    @inject(Tokens.Clock) private readonly clock: Clock,
  ) {}

  async create(input: {
    handle: string;
    displayName: string;
    password?: string;
    kind?: UserKind;
  }): Promise<PublicUser> {
    const row: UserRow = {
      id: randomUUID(),
      handle: input.handle,
      handle_key: input.handle.toLowerCase(),
      display_name: input.displayName,
      kind: input.kind ?? 'person',
      password_hash: input.password ? await passwordHasher.hash(input.password) : null,
      created_at: this.clock.now(),
      deactivated_at: null,
      avatar_hash: null,
    };
    try {
      await this.db.knex('users').insert(row);
    } catch (err) {
      if (isUniqueViolation(err))
        throw new SwitchboardError('handle_taken', `The handle "${input.handle}" is already in use.`);
      throw err;
    }
    return toPublicUser(row);
  }

  async byId(id: string): Promise<PublicUser> {
    const row = await this.db.knex<UserRow>('users').where({ id }).first();
    if (!row) throw new SwitchboardError('user_not_found');
    return toPublicUser(row);
  }

  async byHandle(handle: string): Promise<PublicUser> {
    const row = await this.db.knex<UserRow>('users').where({ handle_key: handle.toLowerCase() }).first();
    if (!row) throw new SwitchboardError('user_not_found');
    return toPublicUser(row);
  }

  /** Checks a password; both failure cases take the same time and raise the same error. */
  async verifyPassword(handle: string, password: string): Promise<PublicUser> {
    const row = await this.db.knex<UserRow>('users').where({ handle_key: handle.toLowerCase() }).first();
    const ok = await passwordHasher.verify(row?.password_hash ?? DUMMY_HASH, password);
    if (!row || !row.password_hash || !ok) throw new SwitchboardError('invalid_credentials');
    return toPublicUser(row);
  }

  /** Ids among `ids` that do not exist. */
  async missing(ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const found = new Set<string>();
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await this.db
        .knex('users')
        .whereIn('id', ids.slice(i, i + 500))
        .select('id');
      for (const r of rows as { id: string }[]) found.add(r.id);
    }
    return ids.filter((id) => !found.has(id));
  }
}
