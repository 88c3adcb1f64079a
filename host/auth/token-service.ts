import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { inject, injectable } from 'tsyringe';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import { Tokens } from '../core/container-tokens.js';
import { PUBLIC_USER_COLUMNS, toPublicUser, type UserRow } from './user-service.js';
import { prepared } from '../db/statement-name.js';
import { SessionCache, type SessionRead } from './session-cache.js';
import type { PublicUser } from '../../sdk/protocol/message.js';
import type { HostConfig } from '../config/host-config.js';
import type { Database } from '../db/open-database.js';
import type { EventBus } from '../bus/event-bus.js';
import { isoTime } from '../core/iso-time.js';
import type { Clock } from '../core/clock.js';

export type TokenKind = 'session' | 'service';

/** Why a session ended, as its sockets' close reason says. */
export type EndedReason = 'session_ended' | 'account_deactivated';

interface TokenRow {
  id: string;
  user_id: string;
  token_hash: string;
  kind: TokenKind;
  label: string | null;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
}

/** A token's check and its user, as authenticateUser reads them. */
type SessionRow = Pick<UserRow, 'deactivated_at' | (typeof PUBLIC_USER_COLUMNS)[number]> &
  Pick<TokenRow, 'token_hash' | 'expires_at' | 'revoked_at'> & { token_id: string };

/** A plugin route's caller: the token's principal and its user. */
export interface UserSession {
  principal: Principal;
  user: PublicUser;
}

export interface IssuedToken {
  token: string;
  tokenId: string;
  expiresAt: string;
}
export interface TokenInfo {
  id: string;
  label: string | null;
  kind: TokenKind;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
}
export interface Principal {
  userId: string;
  tokenId: string;
  expiresAt: number;
}

/**
 * How long a plugin route may reuse a token's check. Revocations reach the cache through the
 * event bus at once; the bound only matters for a host the bus does not reach.
 */
const SESSION_CACHE_MS = 2_000;
const SESSION_CACHE_MAX = 50_000;

/** Tokens are 256 random bits; storing their SHA-256 is enough (no brute force is possible). */
const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

@injectable()
export class TokenService {
  /** Recent authenticateUser answers by token hash (see SESSION_CACHE_MS). */
  private readonly sessions: SessionCache<UserSession>;

  constructor(
    @inject(Tokens.Database) private readonly db: Database,
    @inject(Tokens.Config) private readonly config: HostConfig,
    @inject(Tokens.EventBus) private readonly bus: EventBus,
    @inject(Tokens.Clock) private readonly clock: Clock,
  ) {
    this.sessions = new SessionCache({
      maxAgeMs: SESSION_CACHE_MS,
      maxEntries: SESSION_CACHE_MAX,
      now: () => clock.now(),
      read: (hashes) => this.readSessions(hashes),
      expired: (session, now) => session.principal.expiresAt <= now,
      unknown: () => new SwitchboardError('unauthenticated'),
    });
    bus.subscribe('token.revoked', (e) => this.forget(e.tokenId));
  }

  async issue(
    userId: string,
    opts: { kind: TokenKind; label?: string | null; ttlSeconds?: number },
  ): Promise<IssuedToken> {
    const ttl =
      opts.ttlSeconds ??
      (opts.kind === 'session' ? this.config.auth.sessionTtlSeconds : this.config.auth.serviceTokenTtlSeconds);
    const token = `sb_${randomBytes(32).toString('base64url')}`;
    const now = this.clock.now();
    const row: TokenRow = {
      id: randomUUID(),
      user_id: userId,
      token_hash: hashToken(token),
      kind: opts.kind,
      label: opts.label ?? null,
      created_at: now,
      expires_at: now + ttl * 1000,
      revoked_at: null,
    };
    // A token issued while an operator deactivates the account is refused by authenticate too.
    const user = await this.db.knex<UserRow>('users').where({ id: userId }).first('deactivated_at');
    if (!user) throw new SwitchboardError('user_not_found');
    if (user.deactivated_at !== null) throw new SwitchboardError('account_deactivated');
    await this.db.knex('tokens').insert(row);
    return { token, tokenId: row.id, expiresAt: new Date(row.expires_at).toISOString() };
  }

  /**
   * The principal behind a bearer token; throws `unauthenticated` for unknown, expired or revoked
   * tokens, and `account_deactivated` for a live token of a deactivated account.
   */
  async authenticate(token: string | undefined): Promise<Principal> {
    if (!token || !token.startsWith('sb_') || token.length > 128) throw new SwitchboardError('unauthenticated');
    const query = this.db
      .knex('tokens')
      .join('users', 'users.id', 'tokens.user_id')
      .where('tokens.token_hash', hashToken(token))
      .first<
        (Pick<TokenRow, 'id' | 'user_id' | 'expires_at' | 'revoked_at'> & Pick<UserRow, 'deactivated_at'>) | undefined
      >('tokens.id', 'tokens.user_id', 'tokens.expires_at', 'tokens.revoked_at', 'users.deactivated_at');
    const row = await prepared('token-check', query, 'one');
    if (!row || row.revoked_at !== null || row.expires_at <= this.clock.now())
      throw new SwitchboardError('unauthenticated');
    if (row.deactivated_at !== null) throw new SwitchboardError('account_deactivated');
    return { userId: row.user_id, tokenId: row.id, expiresAt: row.expires_at };
  }

  /**
   * authenticate() and the token's user in one query, for plugin routes, which need both on every
   * request. An answer is reused for SESSION_CACHE_MS (see SessionCache): a revocation drops it at
   * once on every host the event bus reaches (this one always), and the token's own expiry is
   * checked every time.
   */
  async authenticateUser(token: string | undefined): Promise<UserSession> {
    if (!token || !token.startsWith('sb_') || token.length > 128) throw new SwitchboardError('unauthenticated');
    return this.sessions.check(hashToken(token));
  }

  /** The sessions of these token hashes, in one query (the same text whatever their number, on PostgreSQL). */
  private async readSessions(hashes: readonly string[]): Promise<Map<string, SessionRead<UserSession>>> {
    const query = this.db
      .knex('tokens')
      .join('users', 'users.id', 'tokens.user_id')
      .select<SessionRow[]>(
        'tokens.token_hash',
        'tokens.id as token_id',
        'tokens.expires_at',
        'tokens.revoked_at',
        'users.deactivated_at',
        ...PUBLIC_USER_COLUMNS.map((column) => `users.${column}`),
      );
    const rows =
      this.db.kind === 'postgres'
        ? await prepared(
            'token-user-checks',
            query.whereRaw('tokens.token_hash = any(?::text[])', [[...hashes]]),
            'any',
          )
        : await query.whereIn('tokens.token_hash', [...hashes]);
    const now = this.clock.now();
    const reads = new Map<string, SessionRead<UserSession>>();
    for (const row of rows) {
      if (row.revoked_at !== null || row.expires_at <= now)
        reads.set(row.token_hash, { session: null, refusal: new SwitchboardError('unauthenticated') });
      else if (row.deactivated_at !== null)
        reads.set(row.token_hash, { session: null, refusal: new SwitchboardError('account_deactivated') });
      else
        reads.set(row.token_hash, {
          session: {
            principal: { userId: row.id, tokenId: row.token_id, expiresAt: row.expires_at },
            user: toPublicUser(row),
          },
          refusal: null,
        });
    }
    return reads;
  }

  private forget(tokenId: string): void {
    this.sessions.forget((session) => session.principal.tokenId === tokenId);
  }

  /**
   * Of these tokens, those that no longer work (revoked, expired or gone), each with why its
   * sessions end: `account_deactivated` when its account is, so a client can tell its user why, as
   * the live revocation at deactivation does. One query per thousand tokens.
   */
  async endedAmong(tokenIds: readonly string[]): Promise<Map<string, EndedReason>> {
    const ended = new Map<string, EndedReason>(tokenIds.map((id) => [id, 'session_ended']));
    for (let i = 0; i < tokenIds.length; i += 1_000) {
      const rows = await this.db
        .knex('tokens')
        .join('users', 'users.id', 'tokens.user_id')
        .whereIn('tokens.id', tokenIds.slice(i, i + 1_000))
        .select<{ id: string; revoked_at: number | null; expires_at: number; deactivated_at: number | null }[]>(
          'tokens.id',
          'tokens.revoked_at',
          'tokens.expires_at',
          'users.deactivated_at',
        );
      const now = this.clock.now();
      for (const row of rows) {
        if (row.deactivated_at !== null) ended.set(row.id, 'account_deactivated');
        else if (row.revoked_at === null && row.expires_at > now) ended.delete(row.id);
      }
    }
    return ended;
  }

  async list(userId: string): Promise<TokenInfo[]> {
    const rows = await this.db.knex<TokenRow>('tokens').where({ user_id: userId }).orderBy('created_at', 'asc');
    return rows.map((r) => ({
      id: r.id,
      label: r.label,
      kind: r.kind,
      createdAt: isoTime(r.created_at),
      expiresAt: isoTime(r.expires_at),
      revokedAt: isoTime(r.revoked_at),
    }));
  }

  /** Revokes every live token of a user and ends their sessions on every host; returns how many. */
  async revokeAllOf(userId: string, reason?: 'account_deactivated'): Promise<number> {
    const live = this.db.knex<TokenRow>('tokens').where({ user_id: userId }).whereNull('revoked_at');
    const ids = (await live.clone().select('id')).map((r) => r.id);
    await live.clone().update({ revoked_at: this.clock.now() });
    for (const tokenId of ids) {
      this.forget(tokenId);
      this.bus.publish({ type: 'token.revoked', tokenId, ...(reason ? { reason } : {}) });
    }
    return ids.length;
  }

  /** Revokes a token (optionally only if it belongs to `ownerId`) and ends its live sessions. */
  async revoke(tokenId: string, ownerId?: string): Promise<void> {
    const query = this.db.knex<TokenRow>('tokens').where({ id: tokenId });
    if (ownerId) query.andWhere({ user_id: ownerId });
    const row = await query.clone().first();
    if (!row) throw new SwitchboardError('token_not_found');
    await query.clone().whereNull('revoked_at').update({ revoked_at: this.clock.now() });
    this.forget(tokenId);
    this.bus.publish({ type: 'token.revoked', tokenId });
  }
}
