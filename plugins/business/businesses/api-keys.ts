import type { PluginContext } from '../../../sdk/index.js';
import { BusinessError } from '../business-error.js';

interface KeyRow {
  id: string;
  business_id: string;
  hash: string;
  prefix: string;
  created_at: number;
  revoked_at: number | null;
  [c: string]: unknown;
}

const PREFIX = 'bk_';

/**
 * A business's backend authenticates with an API key. Only its SHA-256 is stored; the key is
 * shown once. Rotation is a new key, then revoking the old one, so there is no gap.
 */
export async function createKey(
  ctx: PluginContext,
  businessId: string,
): Promise<{ keyId: string; key: string; prefix: string }> {
  const key = `${PREFIX}${(await ctx.crypto.randomId()).replace(/-/g, '')}${(await ctx.crypto.randomId()).replace(/-/g, '')}`;
  const keyId = await ctx.crypto.randomId();
  const prefix = key.slice(0, 10);
  await ctx.database.table('api_keys').insert({
    id: keyId,
    business_id: businessId,
    hash: await ctx.crypto.sha256(key),
    prefix,
    created_at: Date.now(),
    revoked_at: null,
  });
  return { keyId, key, prefix };
}

export async function revokeKey(ctx: PluginContext, businessId: string, keyId: string): Promise<boolean> {
  return (
    (await ctx.database
      .table<KeyRow>('api_keys')
      .where({ id: keyId, business_id: businessId })
      .whereNull('revoked_at')
      .update({ revoked_at: Date.now() })) > 0
  );
}

export async function listKeys(ctx: PluginContext, businessId: string) {
  const rows = await ctx.database
    .table<KeyRow>('api_keys')
    .where({ business_id: businessId })
    .orderBy('created_at')
    .all();
  return rows.map((r) => ({
    keyId: r.id,
    prefix: r.prefix,
    createdAt: new Date(r.created_at).toISOString(),
    revokedAt: r.revoked_at === null ? null : new Date(r.revoked_at).toISOString(),
  }));
}

/** The business an `Authorization: Bearer bk_…` header belongs to. */
export async function businessOfKey(ctx: PluginContext, authorization: string | undefined): Promise<string> {
  const key = /^Bearer (bk_[0-9a-f]{64})$/.exec(authorization ?? '')?.[1];
  if (!key) throw new BusinessError('invalid_api_key');
  const row = await ctx.database
    .table<KeyRow>('api_keys')
    .where({ hash: await ctx.crypto.sha256(key) })
    .first();
  if (!row || row.revoked_at !== null) throw new BusinessError('invalid_api_key');
  return row.business_id;
}
