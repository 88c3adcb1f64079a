import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Knex } from 'knex';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';

/**
 * Webhook signatures of plugin routes with auth "signature":
 *   X-Switchboard-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
 * The MAC covers the exact bytes of the body; the timestamp bounds replays to a 5-minute window.
 */
export const SIGNATURE_HEADER = 'x-switchboard-signature';
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/** 32 random bytes, base64url, with a recognisable prefix. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

function mac(secret: string, timestamp: string, rawBody: Buffer | string): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest();
}

/** The header value for a body signed at `timestamp` (unix seconds; default now). */
export function signWebhook(
  secret: string,
  rawBody: Buffer | string,
  timestamp = Math.floor(Date.now() / 1000),
): string {
  return `t=${timestamp},v1=${mac(secret, String(timestamp), rawBody).toString('hex')}`;
}

const unauthenticated = (message: string) => new SwitchboardError('unauthenticated', message);

/**
 * Throws `unauthenticated` unless `header` is a well-formed signature of `rawBody` with `secret`
 * whose timestamp is within the tolerance of `nowSeconds`. Several v1 values may be given (one
 * must match); comparisons take constant time.
 */
export function verifyWebhook(
  header: string | undefined,
  secret: string,
  rawBody: Buffer | string,
  nowSeconds = Math.floor(Date.now() / 1000),
): void {
  if (!header) throw unauthenticated(`This route needs a signed request: header ${SIGNATURE_HEADER} is missing.`);
  let timestamp: string | null = null;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const m = /^\s*([a-z0-9]+)=([^\s,]*)\s*$/.exec(part);
    if (!m)
      throw unauthenticated(
        `Header ${SIGNATURE_HEADER} is malformed: expected "t=<unix seconds>,v1=<hex HMAC-SHA256>".`,
      );
    const [, key, value] = m as unknown as [string, string, string];
    if (key === 't') {
      if (timestamp !== null || !/^\d{1,12}$/.test(value))
        throw unauthenticated(`Header ${SIGNATURE_HEADER} has an invalid timestamp.`);
      timestamp = value;
    } else if (key === 'v1') {
      if (!/^[0-9a-fA-F]{64}$/.test(value))
        throw unauthenticated(`Header ${SIGNATURE_HEADER} has an invalid v1 signature (64 hex digits expected).`);
      signatures.push(Buffer.from(value, 'hex'));
    }
    // Other schemes are ignored, so that new ones can be added next to v1.
  }
  if (timestamp === null || signatures.length === 0) {
    throw unauthenticated(`Header ${SIGNATURE_HEADER} is malformed: expected "t=<unix seconds>,v1=<hex HMAC-SHA256>".`);
  }
  const expected = mac(secret, timestamp, rawBody);
  let matched = false;
  for (const signature of signatures) if (timingSafeEqual(signature, expected)) matched = true;
  if (!matched) throw unauthenticated("The request signature does not match the body and the plugin's webhook secret.");
  if (Math.abs(nowSeconds - Number(timestamp)) > SIGNATURE_TOLERANCE_SECONDS) {
    throw unauthenticated(
      `The request signature is too old or too far in the future (more than ${SIGNATURE_TOLERANCE_SECONDS} s from the host clock).`,
    );
  }
}

/**
 * The plugin's webhook secret, created on first use. Race-safe across hosts: the new secret is
 * written only where none is stored yet, and whatever is stored then is returned.
 */
export async function ensureWebhookSecret(knex: Knex, pluginId: string): Promise<string> {
  const read = async (): Promise<string | null> => {
    const row = await knex('plugins')
      .where({ id: pluginId })
      .first<{ webhook_secret: string | null } | undefined>('webhook_secret');
    return row?.webhook_secret ?? null;
  };
  const existing = await read();
  if (existing) return existing;
  await knex('plugins')
    .where({ id: pluginId })
    .whereNull('webhook_secret')
    .update({ webhook_secret: newWebhookSecret() });
  const stored = await read();
  if (!stored)
    throw new SwitchboardError(
      'internal_error',
      `Plugin ${pluginId} has no install record, so it has no webhook secret.`,
    );
  return stored;
}
