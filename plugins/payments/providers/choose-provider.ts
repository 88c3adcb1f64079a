import type { PluginContext } from '../../../sdk/index.js';
import type { PaymentsSettings } from '../settings.js';
import type { CardProvider } from './card-provider.js';
import { SimulatedCardProvider } from './simulated-card-provider.js';

/**
 * The card providers payments can talk to, by the name the operator writes in
 * `settings.provider.name`. A real adapter (Stripe-like) is one more entry here and one more
 * value in the manifest's enum; nothing else in the plugin names a provider.
 */
const PROVIDERS: Record<string, (ctx: PluginContext<PaymentsSettings>) => CardProvider> = {
  simulated: (ctx) => new SimulatedCardProvider(ctx, () => ctx.http.webhookSecret()),
};

/** The provider the operator chose; the manifest's schema already refused any other name. */
export function chooseProvider(ctx: PluginContext<PaymentsSettings>): CardProvider {
  const name = ctx.settings.provider.name ?? 'simulated';
  const make = PROVIDERS[name];
  if (!make)
    throw new Error(
      `settings.provider.name ${JSON.stringify(name)} is not a provider payments knows (${Object.keys(PROVIDERS).join(', ')}).`,
    );
  return make(ctx);
}
