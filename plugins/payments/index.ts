/**
 * Payments: free person-to-person transfers, top-ups from cards through a provider adapter,
 * and a double-entry, append-only, hash-chained ledger in the plugin's own tables. A trusted
 * first-party plugin that uses only the SDK's capability API. See docs/payments.md.
 *
 * Folders, by concept: ledger/ (accounts, postings, verification, reports), transfers/,
 * funding/ (top-ups, payouts, reconciling with the provider), providers/ (card provider
 * adapters), holds/ (holds and refunds), requests/ (payment requests and invoices), pins/, and
 * api/ (HTTP routes, their bodies, chat commands). What they all share stays here.
 */
import { definePlugin } from '../../sdk/index.js';
import { registerCommands } from './api/commands.js';
import { registerHolds } from './api/hold-routes.js';
import { registerRequestRoutes } from './api/request-routes.js';
import { registerRoutes } from './api/routes.js';
import { reconcile } from './funding/reconcile.js';
import { migrations } from './migrations.js';
import { createPaymentsState } from './payments-state.js';
import { registerRequestService } from './requests/request-service.js';
import type { PaymentsSettings } from './settings.js';

/** Operations pending longer than this at start or on the minute are reconciled with the provider. */
const RECONCILE_AFTER_MS = 60_000;

export default definePlugin<PaymentsSettings>({
  migrations,
  async start(ctx) {
    const state = createPaymentsState(ctx);
    registerRoutes(ctx, state);
    registerCommands(ctx, state);
    await registerHolds(ctx, state);
    registerRequestRoutes(ctx, state);
    await registerRequestService(ctx);
    ctx.scheduler.handle('reconcile', async () => {
      const outcome = await reconcile(ctx, state.provider, RECONCILE_AFTER_MS);
      if (outcome.checked > 0) ctx.log.info('reconciled pending provider operations', { ...outcome });
    });
    await ctx.scheduler.every('reconcile', 60_000, { key: 'reconcile' });
  },
});
