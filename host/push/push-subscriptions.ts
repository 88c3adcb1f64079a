import { createECDH, randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { PushSubscriptionJson } from '../../sdk/protocol/push.js';

/** A browser's subscription, as PushSubscription.toJSON() gives it (docs/protocol.md, "Push notifications"). */
export type SubscriptionInput = Pick<PushSubscriptionJson, 'endpoint' | 'keys'>;

export interface SubscriptionRow {
  id: string;
  user_id: string;
  endpoint: string;
  p256dh: string;
  auth: string;
  created_at: number;
}

const P256DH_BYTES = 65;
const AUTH_BYTES = 16;

function badKey(path: string, message: string): never {
  throw new SwitchboardError('invalid_request', `keys.${path.split('/').pop()} ${message}.`, {
    details: [{ path, message }],
  });
}

/**
 * The keys a payload is encrypted to: the browser's P-256 public key (uncompressed, a point on
 * the curve) and its 16-byte auth secret, both base64url. Checked here, so a bad key is the
 * subscriber's error now, not a failed encryption later.
 */
export function checkKeys(keys: SubscriptionInput['keys']): void {
  const p256dh = Buffer.from(keys.p256dh, 'base64url');
  if (p256dh.length !== P256DH_BYTES || p256dh.toString('base64url') !== keys.p256dh.replace(/=+$/, ''))
    badKey('/keys/p256dh', `must be the ${P256DH_BYTES}-byte uncompressed P-256 public key, base64url`);
  try {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    ecdh.computeSecret(p256dh);
  } catch {
    // computeSecret throws for bytes that are not a point on the curve: that is the refusal.
    badKey('/keys/p256dh', 'is not a point on the P-256 curve');
  }
  const auth = Buffer.from(keys.auth, 'base64url');
  if (auth.length !== AUTH_BYTES || auth.toString('base64url') !== keys.auth.replace(/=+$/, ''))
    badKey('/keys/auth', `must be ${AUTH_BYTES} bytes, base64url`);
}

/**
 * Stores a subscription for the user. Its endpoint names one browser, so a subscription with
 * that endpoint already stored (the same browser signed in as someone else, or subscribing
 * again) is replaced. Past `max` per user the oldest go: a browser that subscribes again must
 * not be locked out by its own stale endpoints, which push services forget without telling.
 */
export async function addSubscription(
  knex: Knex,
  userId: string,
  input: SubscriptionInput,
  max: number,
  now: number,
): Promise<SubscriptionRow> {
  const row: SubscriptionRow = {
    id: randomUUID(),
    user_id: userId,
    endpoint: input.endpoint,
    p256dh: input.keys.p256dh,
    auth: input.keys.auth,
    created_at: now,
  };
  await knex.transaction(async (trx) => {
    await trx('push_subscriptions').where({ endpoint: input.endpoint }).delete();
    // Strictly after the user's newest, so "oldest" is never a tie between two of the same millisecond.
    const newest = (await trx('push_subscriptions').where({ user_id: userId }).max({ at: 'created_at' }).first()) as
      { at: number | string | null } | undefined;
    if (newest?.at !== null && newest?.at !== undefined) row.created_at = Math.max(now, Number(newest.at) + 1);
    await trx('push_subscriptions').insert(row);
    const kept = await trx('push_subscriptions')
      .where({ user_id: userId })
      .orderBy('created_at', 'desc')
      .limit(max)
      .select<{ id: string }[]>('id');
    await trx('push_subscriptions')
      .where({ user_id: userId })
      .whereNotIn(
        'id',
        kept.map((k) => k.id),
      )
      .delete();
  });
  return row;
}

/** Removes the user's subscription with that endpoint; whether there was one. */
export async function removeSubscription(knex: Knex, userId: string, endpoint: string): Promise<boolean> {
  return (await knex('push_subscriptions').where({ user_id: userId, endpoint }).delete()) > 0;
}

/** Every subscription of these users (one query per 500 users). */
export async function subscriptionsOf(knex: Knex, userIds: readonly string[]): Promise<SubscriptionRow[]> {
  const rows: SubscriptionRow[] = [];
  for (let i = 0; i < userIds.length; i += 500)
    rows.push(...(await knex<SubscriptionRow>('push_subscriptions').whereIn('user_id', userIds.slice(i, i + 500))));
  return rows.map((r) => ({ ...r, created_at: Number(r.created_at) }));
}

/** subscriptionsOf, by user: a user with none has no entry. */
export async function subscriptionsByUser(
  knex: Knex,
  userIds: readonly string[],
): Promise<Map<string, SubscriptionRow[]>> {
  const byUser = new Map<string, SubscriptionRow[]>();
  for (const row of await subscriptionsOf(knex, userIds)) {
    const rows = byUser.get(row.user_id);
    if (rows) rows.push(row);
    else byUser.set(row.user_id, [row]);
  }
  return byUser;
}

/** A push service said the subscription is gone (404, 410): it will never take a push again. */
export async function forgetSubscription(knex: Knex, id: string): Promise<void> {
  await knex('push_subscriptions').where({ id }).delete();
}
