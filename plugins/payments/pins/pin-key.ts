import type { PluginContext } from '../../../sdk/index.js';
import type { PaymentsSettings } from '../settings.js';
import { PIN } from './judge-pin.js';

const PIN_KEY = 'pin-key';

/**
 * A PIN has at most 10^8 values, so no hash makes a stolen one safe to brute-force offline;
 * what protects PINs is the attempt limit, and a key kept apart from the hashes. So a PIN is
 * stored as HMAC-SHA256 under a random key the plugin keeps in its storage (a pepper), which also
 * keeps each confirmation cheap enough for thousands of payments a second (Argon2 costs tens of ms).
 *
 * One PinKey is made per run of the plugin (in start), and reads the key from storage once.
 */
export class PinKey {
  private key: Promise<string> | null = null;

  constructor(private readonly ctx: PluginContext<PaymentsSettings>) {}

  async hash(userId: string, pin: string): Promise<string> {
    this.key ??= this.load();
    return this.ctx.crypto.hmacSha256(await this.key, `${userId}:${pin}`);
  }

  /** The HMAC of an attempt, or null for one that is not a PIN at all (refused as malformed, never counted as wrong). */
  async attempt(userId: string, pin: unknown): Promise<string | null> {
    return typeof pin === 'string' && PIN.test(pin) ? this.hash(userId, pin) : null;
  }

  private async load(): Promise<string> {
    const existing = await this.ctx.storage.get<string>(PIN_KEY);
    if (existing) return existing.value;
    const key = `${await this.ctx.crypto.randomId()}${await this.ctx.crypto.randomId()}`;
    // Losing this compare-and-set means another host stored its key first: the read below takes that one.
    await this.ctx.storage.set(PIN_KEY, key, { ifVersion: 0 }).catch(() => {});
    return (await this.ctx.storage.get<string>(PIN_KEY))!.value;
  }
}
