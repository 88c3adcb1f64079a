import type { Currencies } from './currencies.js';

/** The operator's settings (validated against contributes.settings in manifests/payments.json). */
export interface PaymentsSettings {
  currencies: Currencies;
  limits: { perTransferMinor: number; dailyMinor: number };
  pin: { maxAttempts: number; lockMinutes: number };
  provider: SimulatedProviderSettings;
  /** Bounds and default of a hold's expiry (ms); filled in from the manifest's defaults. */
  holds?: { minExpiresInMs: number; maxExpiresInMs: number; defaultExpiresInMs: number };
}

export interface SimulatedProviderSettings {
  /** Which adapter (providers/choose-provider.ts); "simulated" is the only one shipped. */
  name?: 'simulated';
  /** Delay of every provider call, before it takes effect (ms). */
  latencyMs: number;
  /** Delay after the provider recorded an operation, before it answers (ms): the window in which a crash loses the answer. */
  latencyAfterMs: number;
  /** Card tokens the simulated provider declines. */
  declinedCards: string[];
  /** Charges above this many minor units are declined (null: none). */
  declineAboveMinor: number | null;
  /** Share of calls that fail as if the provider could not be reached (0–1), before anything happens. */
  failureRate: number;
}
