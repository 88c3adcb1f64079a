import type { PluginContext } from '../../sdk/index.js';
import { PaymentsMetrics } from './payments-metrics.js';
import { PinKey } from './pins/pin-key.js';
import type { CardProvider } from './providers/card-provider.js';
import { chooseProvider } from './providers/choose-provider.js';
import type { PaymentsSettings } from './settings.js';
import { Recipients } from './transfers/recipients.js';
import { TransferBatcher } from './transfers/transfer-batcher.js';

/**
 * What payments keeps for one run of the plugin, made once in start() and handed to whatever
 * needs it: a context is new at every start, and hosts in one process each have their own, so
 * nothing of this lives at module level.
 */
export interface PaymentsState {
  readonly provider: CardProvider;
  readonly pinKey: PinKey;
  readonly recipients: Recipients;
  readonly transfers: TransferBatcher;
  readonly metrics: PaymentsMetrics;
}

export function createPaymentsState(ctx: PluginContext<PaymentsSettings>): PaymentsState {
  return {
    provider: chooseProvider(ctx),
    pinKey: new PinKey(ctx),
    recipients: new Recipients(ctx),
    transfers: new TransferBatcher(ctx),
    metrics: new PaymentsMetrics(ctx),
  };
}
