import { createECDH } from 'node:crypto';
import type { Knex } from 'knex';
import webpush from 'web-push';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { PushConfig } from '../config/host-config.js';

/** What signs every push (RFC 8292): the key pair, base64url, and the operator's contact. */
export interface VapidDetails {
  readonly publicKey: string;
  readonly privateKey: string;
  readonly subject: string;
}

/**
 * The contact when the config names none. Push services accept it, but some (Apple's) want a
 * real address: operators.md asks operators to set push.vapid.subject.
 */
export const DEFAULT_SUBJECT = 'mailto:push@switchboard.invalid';

const ROW_ID = 'vapid';

/**
 * The configured pair, checked (the public key must be the private key's); or the pair kept in
 * the database, made by the first host that needed one. Every host of a cluster reads the same
 * row, so a browser subscribed through one host gets pushes signed by any of them.
 */
export async function loadVapidKeys(knex: Knex, config: PushConfig, now: number): Promise<VapidDetails> {
  const subject = config.vapid.subject ?? DEFAULT_SUBJECT;
  const { publicKey, privateKey } = config.vapid;
  if (publicKey !== undefined && privateKey !== undefined) {
    if (!pairMatches(publicKey, privateKey))
      throw new SwitchboardError(
        'config_invalid',
        'push.vapid.publicKey is not the public key of push.vapid.privateKey (generate a pair with `npx web-push generate-vapid-keys`).',
        { details: [{ path: '/push/vapid/publicKey', message: 'does not match privateKey' }] },
      );
    return { publicKey, privateKey, subject };
  }
  const made = webpush.generateVAPIDKeys();
  await knex('push_vapid_keys')
    .insert({ id: ROW_ID, public_key: made.publicKey, private_key: made.privateKey, created_at: now })
    .onConflict('id')
    .ignore();
  const row = (await knex('push_vapid_keys').where({ id: ROW_ID }).first()) as
    { public_key: string; private_key: string } | undefined;
  if (!row) throw new Error('the VAPID key row vanished right after it was written');
  return { publicKey: row.public_key, privateKey: row.private_key, subject };
}

function pairMatches(publicKey: string, privateKey: string): boolean {
  try {
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(Buffer.from(privateKey, 'base64url'));
    return ecdh.getPublicKey().equals(Buffer.from(publicKey, 'base64url'));
  } catch {
    // setPrivateKey throws for bytes that are no P-256 private key: no pair either way.
    return false;
  }
}
