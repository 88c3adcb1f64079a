/**
 * What the ledger needs from a card provider. The ledger never calls a provider inside a
 * database transaction: it records what it is about to ask (provider_operations), asks with that
 * record's id as the provider's idempotency key, then books the answer. A Stripe-like adapter
 * implements this interface and nothing else changes.
 */
export type ProviderStatus = 'succeeded' | 'declined' | 'canceled';

export interface ProviderResult {
  /** The provider's id of the operation. */
  ref: string;
  status: ProviderStatus;
  /** Why, for declines. */
  reason?: string;
}

export interface ProviderRecord extends ProviderResult {
  kind: 'charge' | 'authorization' | 'capture' | 'refund' | 'payout';
  amountMinor: number;
  currency: string;
}

/** A callback from the provider, after its signature was checked. */
export interface ProviderEvent {
  id: string;
  type: 'operation.succeeded' | 'operation.declined';
  key: string;
  ref: string;
  createdAt: number;
}

export interface CardProvider {
  readonly name: string;
  /** Authorize and capture at once (a top-up). */
  charge(input: { key: string; amountMinor: number; currency: string; card: string }): Promise<ProviderResult>;
  authorize(input: { key: string; amountMinor: number; currency: string; card: string }): Promise<ProviderResult>;
  capture(input: { key: string; authorizationRef: string; amountMinor: number }): Promise<ProviderResult>;
  refund(input: { key: string; chargeRef: string; amountMinor: number }): Promise<ProviderResult>;
  payout(input: { key: string; amountMinor: number; currency: string; destination: string }): Promise<ProviderResult>;
  /** What the provider knows of the operation with this key, or null: for reconciliation. */
  lookup(key: string): Promise<ProviderRecord | null>;
  /** Makes sure an operation with this key never happens (the host gave up on it). */
  cancel(key: string): Promise<void>;
  /** Checks a callback's signature and age; throws invalid_signature. */
  verifyCallback(rawBody: string, signatureHeader: string | undefined): Promise<ProviderEvent>;
}

/** A provider that could not be reached: nothing happened, and the same key may be retried. */
export class ProviderUnavailable extends Error {}
