/**
 * Business chat: customer service between businesses and their customers. Businesses with
 * agents, teams and API keys; one conversation per customer with the inbox (statuses, priority,
 * labels, assignment by hand or round-robin, notes, canned responses, hours, CSAT); structured
 * templates under the 24-hour policy; bots with the handover protocol; signed webhooks and
 * invoices through payments. A trusted first-party plugin that uses only the SDK. See
 * docs/business.md.
 */
import { definePlugin } from '../../sdk/index.js';
import { Durations } from './assignment.js';
import type { BusinessApp } from './business-app.js';
import { provideServices } from './bot-services.js';
import { CustomerActivity } from './customer-activity.js';
import { migrations } from './migrations.js';
import { onPostback } from './postbacks.js';
import { registerRoutes } from './routes.js';
import type { BusinessSettings } from './settings.js';
import { registerThreadRoutes } from './thread-routes.js';
import { wake } from './threads.js';
import { Webhooks } from './webhooks.js';

const WEBHOOK_SWEEP_JOB = 'webhook-sweep';

export default definePlugin<BusinessSettings>({
  migrations,
  async start(ctx) {
    const app: BusinessApp = { ctx, webhooks: new Webhooks(ctx), assignDurations: new Durations(), freshThreads: new Map() };
    const activity = new CustomerActivity(app);
    registerRoutes(app);
    registerThreadRoutes(app);
    provideServices(app);
    ctx.interactive.onPostback((postback) => onPostback(app, postback));
    ctx.events.on('message.created', ({ conversationId, message }) => activity.received(conversationId, message));
    ctx.scheduler.handle('wake', async (job) => {
      const { threadId, until } = job.payload as { threadId: string; until: number };
      await wake(ctx, threadId, until);
    });
    ctx.scheduler.handle(WEBHOOK_SWEEP_JOB, async () => { await app.webhooks.sender.sweep(); });
    await ctx.scheduler.every(WEBHOOK_SWEEP_JOB, 1_000, { key: WEBHOOK_SWEEP_JOB });
  },
});
