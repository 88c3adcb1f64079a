import type { PluginContext } from '../../../sdk/index.js';
import type { BusinessApp } from '../business-app.js';
import { BusinessError } from '../business-error.js';
import { emitEvent } from '../events.js';
import type { ThreadRow } from '../inbox/threads.js';

interface OptinRow {
  hash: string;
  thread_id: string;
  topic: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  [c: string]: unknown;
}

const TOPIC = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The customer agrees to one message on a topic ("back_in_stock") outside the 24-hour window,
 * by tapping a button whose id is "optin:<topic>" or through the API. The token goes to the
 * business (webhook and bot, once); only its SHA-256 is kept, and sending with it spends it.
 */
export async function grantOptin(
  app: BusinessApp,
  thread: ThreadRow,
  topic: unknown,
): Promise<{ topic: string; expiresAt: string }> {
  if (typeof topic !== 'string' || !TOPIC.test(topic))
    throw new BusinessError('invalid_business_request', 'topic is 1-64 characters: a-z, 0-9, _ and -.');
  const { ctx } = app;
  const token = `ot_${(await ctx.crypto.randomId()).replace(/-/g, '')}`;
  const now = Date.now();
  const expiresAt = now + ctx.settings.optinTtlDays * DAY_MS;
  await ctx.database.table<OptinRow>('optins').insert({
    hash: await ctx.crypto.sha256(token),
    thread_id: thread.id,
    topic,
    created_at: now,
    expires_at: expiresAt,
    used_at: null,
  });
  await emitEvent(app, thread.business_id, 'optin', {
    threadId: thread.id,
    customerId: thread.customer_id,
    topic,
    optinToken: token,
    expiresAt: new Date(expiresAt).toISOString(),
  });
  return { topic, expiresAt: new Date(expiresAt).toISOString() };
}

/** Spends a token of this conversation (atomically: a token goes out once); returns its hash. */
export async function consumeOptin(ctx: PluginContext, thread: ThreadRow, token: unknown): Promise<string> {
  if (typeof token !== 'string' || !/^ot_[0-9a-f]{32}$/.test(token)) throw new BusinessError('invalid_optin_token');
  const hash = await ctx.crypto.sha256(token);
  const spent = await ctx.database
    .table<OptinRow>('optins')
    .where({ hash, thread_id: thread.id })
    .whereNull('used_at')
    .where('expires_at', '>', Date.now())
    .update({ used_at: Date.now() });
  if (spent === 0) throw new BusinessError('invalid_optin_token');
  return hash;
}

export async function restoreOptin(ctx: PluginContext, hash: string): Promise<void> {
  await ctx.database.table<OptinRow>('optins').where({ hash }).update({ used_at: null });
}
