/**
 * Payments: free person-to-person transfers, top-ups from cards through a provider adapter,
 * and a double-entry, append-only, hash-chained ledger in the plugin's own tables. A trusted
 * first-party plugin that uses only the SDK's capability API. See docs/payments.md.
 */
import { definePlugin } from '../../sdk/index.js';
import { registerCommands } from './commands.js';
import { registerHolds } from './holds-routes.js';
import { reconcile } from './reconcile.js';
import { migrations } from './migrations.js';
import { chooseProvider } from './providers/choose-provider.js';
import { registerRoutes } from './routes.js';
import { registerRequests } from './request-service.js';
import type { PaymentsSettings } from './settings.js';

/** Operations pending longer than this at start or on the minute are reconciled with the provider. */
const RECONCILE_AFTER_MS = 60_000;

export default definePlugin<PaymentsSettings>({
  migrations,
  async start(ctx) {
    const provider = chooseProvider(ctx);
    registerRoutes(ctx, provider);
    registerCommands(ctx);
    await registerHolds(ctx);
    await registerRequests(ctx);
    ctx.scheduler.handle('reconcile', async () => {
      const outcome = await reconcile(ctx, provider, RECONCILE_AFTER_MS);
      if (outcome.checked > 0) ctx.log.info('reconciled pending provider operations', { ...outcome });
    });
    await ctx.scheduler.every('reconcile', 60_000, { key: 'reconcile' });
  },
});
