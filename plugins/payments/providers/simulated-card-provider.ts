import type { PluginContext } from '../../../sdk/index.js';
import { PaymentError } from '../payment-error.js';
import type { PaymentsSettings } from '../settings.js';
import {
  ProviderUnavailable,
  type CardProvider,
  type ProviderEvent,
  type ProviderRecord,
  type ProviderResult,
} from './card-provider.js';

interface SimRow {
  key: string;
  kind: ProviderRecord['kind'];
  amount: number;
  currency: string;
  status: ProviderRecord['status'];
  ref: string;
  created_at: number;
  [c: string]: unknown;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const CALLBACK_TOLERANCE_S = 300;

/**
 * SIMULATED. A stand-in for a card network, for the default configuration and the tests: it
 * moves no real money. Its book lives in the plugin's table sim_provider (standing in for the
 * provider's own systems), keyed by the idempotency key the ledger sends, so a repeated call
 * returns the first answer. Latency, declines and outages are set in settings.provider.
 */
export class SimulatedCardProvider implements CardProvider {
  readonly name = 'simulated';

  constructor(
    private readonly ctx: PluginContext<PaymentsSettings>,
    private readonly secret: () => Promise<string>,
  ) {}

  charge(input: { key: string; amountMinor: number; currency: string; card: string }) {
    return this.operate('charge', input.key, input.amountMinor, input.currency, input.card);
  }

  authorize(input: { key: string; amountMinor: number; currency: string; card: string }) {
    return this.operate('authorization', input.key, input.amountMinor, input.currency, input.card);
  }

  capture(input: { key: string; authorizationRef: string; amountMinor: number }) {
    return this.operate('capture', input.key, input.amountMinor, '', 'tok_ok');
  }

  refund(input: { key: string; chargeRef: string; amountMinor: number }) {
    return this.operate('refund', input.key, input.amountMinor, '', 'tok_ok');
  }

  payout(input: { key: string; amountMinor: number; currency: string; destination: string }) {
    return this.operate('payout', input.key, input.amountMinor, input.currency, input.destination);
  }

  async lookup(key: string): Promise<ProviderRecord | null> {
    const row = await this.ctx.database.table<SimRow>('sim_provider').where({ key }).first();
    return row
      ? { kind: row.kind, ref: row.ref, status: row.status, amountMinor: row.amount, currency: row.currency }
      : null;
  }

  async cancel(key: string): Promise<void> {
    await this.ctx.database
      .table('sim_provider')
      .insert(
        { key, kind: 'charge', amount: 0, currency: '', status: 'canceled', ref: `sim_${key}`, created_at: Date.now() },
        { onConflictIgnore: ['key'] },
      );
  }

  /** A callback as the simulated provider signs it: "t=<unix s>,v1=<hex HMAC-SHA256 of '<t>.<body>'>". */
  async sign(rawBody: string, at = Math.floor(Date.now() / 1000)): Promise<string> {
    return `t=${at},v1=${await this.ctx.crypto.hmacSha256(await this.secret(), `${at}.${rawBody}`)}`;
  }

  async verifyCallback(rawBody: string, header: string | undefined): Promise<ProviderEvent> {
    const match = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/.exec(header ?? '');
    if (!match) throw new PaymentError('invalid_signature', 'The callback has no valid signature header.');
    const at = Number(match[1]);
    if (Math.abs(Date.now() / 1000 - at) > CALLBACK_TOLERANCE_S)
      throw new PaymentError('invalid_signature', 'The callback is too old (or from the future).');
    const expected = await this.ctx.crypto.hmacSha256(await this.secret(), `${at}.${rawBody}`);
    if (expected !== match[2]) throw new PaymentError('invalid_signature');
    let event: ProviderEvent;
    try {
      event = JSON.parse(rawBody) as ProviderEvent;
    } catch {
      throw new PaymentError('invalid_payment_request', 'The callback body is not JSON.');
    }
    if (
      typeof event?.id !== 'string' ||
      typeof event.key !== 'string' ||
      (event.type !== 'operation.succeeded' && event.type !== 'operation.declined')
    ) {
      throw new PaymentError('invalid_payment_request', 'The callback is not a provider event.');
    }
    return event;
  }

  /**
   * The simulator's side of an asynchronous completion: it settles the operation in its book (if
   * it has not already) and returns the callback it would deliver, signed. Operators and tests
   * use it to play the provider; a real provider's adapter has no such method.
   */
  async completeLater(
    op: { key: string; amountMinor: number; currency: string },
    status: 'succeeded' | 'declined',
  ): Promise<{ rawBody: string; signature: string }> {
    await this.ctx.database.table('sim_provider').insert(
      {
        key: op.key,
        kind: 'charge',
        amount: op.amountMinor,
        currency: op.currency,
        status,
        ref: `sim_charge_${op.key}`,
        created_at: Date.now(),
      },
      { onConflictIgnore: ['key'] },
    );
    const record = (await this.lookup(op.key))!;
    const event: ProviderEvent = {
      id: `evt_${await this.ctx.crypto.randomId()}`,
      type: record.status === 'succeeded' ? 'operation.succeeded' : 'operation.declined',
      key: op.key,
      ref: record.ref,
      createdAt: Date.now(),
    };
    const rawBody = JSON.stringify(event);
    return { rawBody, signature: await this.sign(rawBody) };
  }

  private async operate(
    kind: ProviderRecord['kind'],
    key: string,
    amount: number,
    currency: string,
    card: string,
  ): Promise<ProviderResult> {
    const s = this.ctx.settings.provider;
    if (s.latencyMs > 0) await sleep(s.latencyMs);
    if (s.failureRate > 0 && Math.random() < s.failureRate)
      throw new ProviderUnavailable('The simulated provider is unreachable.');
    const declined =
      s.declinedCards.includes(card) ||
      (s.declineAboveMinor !== null && amount > s.declineAboveMinor && (kind === 'charge' || kind === 'authorization'));
    const ref = `sim_${kind}_${key}`;
    await this.ctx.database
      .table('sim_provider')
      .insert(
        { key, kind, amount, currency, status: declined ? 'declined' : 'succeeded', ref, created_at: Date.now() },
        { onConflictIgnore: ['key'] },
      );
    const row = (await this.lookup(key))!;
    if (s.latencyAfterMs > 0) await sleep(s.latencyAfterMs);
    return { ref: row.ref, status: row.status, ...(row.status === 'declined' ? { reason: 'card_declined' } : {}) };
  }
}
