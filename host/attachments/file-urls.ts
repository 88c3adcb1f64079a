import { createHmac, createSecretKey, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import { inject, injectable } from 'tsyringe';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import { Tokens } from '../core/container-tokens.js';
import type { Clock } from '../core/clock.js';
import type { HostConfig } from '../config/host-config.js';
import type { Database } from '../db/open-database.js';

/** Which bytes of an attachment a URL serves. */
export type FileVariant = 'original' | 'thumbnail';

const KEY_NAME = 'attachment_url_key';

/**
 * Short-lived signed URLs for attachment bytes: `/v1/files/<id>?v=<variant>&exp=<epoch s>&sig=…`,
 * so a browser loads them in `<img src>` without an Authorization header. The signature is an
 * HMAC-SHA256 over id, variant and expiry with a key every host shares: `attachments.urlKey`, or
 * else a random key the first host to need one stores in the database.
 */
@injectable()
export class FileUrls {
  // A KeyObject, made once: createHmac with a raw Buffer wraps the key anew on every request.
  private key: Promise<KeyObject> | null = null;

  constructor(
    @inject(Tokens.Database) private readonly db: Database,
    @inject(Tokens.Config) private readonly config: HostConfig,
    @inject(Tokens.Clock) private readonly clock: Clock,
  ) {}

  /** A URL (relative to the host) valid for `attachments.urlTtlSeconds`, and when it expires (ms). */
  async sign(id: string, variant: FileVariant): Promise<{ url: string; expiresAt: number }> {
    const exp = Math.floor(this.clock.now() / 1000) + this.config.attachments.urlTtlSeconds;
    const sig = await this.signature(id, variant, exp);
    const query = new URLSearchParams({ v: variant, exp: String(exp), sig });
    return { url: `/v1/files/${encodeURIComponent(id)}?${query.toString()}`, expiresAt: exp * 1000 };
  }

  /**
   * Checks a URL's query; returns the variant and the seconds it stays valid, or throws
   * `attachment_url_invalid`.
   */
  async verify(
    id: string,
    query: Record<string, string | string[] | undefined>,
  ): Promise<{ variant: FileVariant; secondsLeft: number }> {
    const { v, exp, sig } = query;
    if (v !== 'original' && v !== 'thumbnail') throw invalid();
    if (typeof exp !== 'string' || !/^\d{1,12}$/.test(exp) || typeof sig !== 'string') throw invalid();
    const msLeft = Number(exp) * 1000 - this.clock.now();
    if (msLeft <= 0) throw invalid('The file URL expired; fetch the attachment again for a new one.');
    const expected = Buffer.from(await this.signature(id, v, Number(exp)), 'base64url');
    const given = Buffer.from(sig, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
    return { variant: v, secondsLeft: Math.floor(msLeft / 1000) };
  }

  private async signature(id: string, variant: FileVariant, exp: number): Promise<string> {
    const key = await (this.key ??= this.loadKey().catch((err: unknown) => {
      this.key = null;
      throw err;
    }));
    return createHmac('sha256', key).update(`${id}\n${variant}\n${exp}`).digest('base64url');
  }

  /** The configured key, or the stored one: the first host inserts it, every later one reads it. */
  private async loadKey(): Promise<KeyObject> {
    if (this.config.attachments.urlKey) return createSecretKey(Buffer.from(this.config.attachments.urlKey, 'utf8'));
    const knex = this.db.knex;
    await knex('host_keys')
      .insert({ name: KEY_NAME, value: randomBytes(32).toString('base64url'), created_at: this.clock.now() })
      .onConflict('name')
      .ignore();
    const row = await knex('host_keys').where({ name: KEY_NAME }).first<{ value: string }>('value');
    return createSecretKey(Buffer.from(row.value, 'base64url'));
  }
}

function invalid(message?: string): SwitchboardError {
  return new SwitchboardError('attachment_url_invalid', message);
}
