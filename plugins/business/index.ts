/**
 * Business chat: customer service between businesses and their customers. Businesses with
 * agents, teams and API keys; one conversation per customer with the inbox (statuses, priority,
 * labels, assignment by hand or round-robin, notes, canned responses, hours, CSAT); structured
 * templates under the 24-hour policy; bots with the handover protocol; signed webhooks and
 * invoices through payments. A trusted first-party plugin that uses only the SDK. See
 * docs/business.md.
 */
import { definePlugin } from '../../sdk/index.js';
import type { BusinessApp } from './business-app.js';
import { BotEvents } from './bots/bot-events.js';
import { provideServices } from './bots/bot-services.js';
import { AgentsRooms } from './businesses/agents-room.js';
import { BusinessStore } from './businesses/business-store.js';
import { CustomerActivity } from './inbox/customer-activity.js';
import { Durations } from './inbox/durations.js';
import { onPostback } from './inbox/postbacks.js';
import { RoundRobin } from './inbox/round-robin.js';
import { registerThreadRoutes } from './inbox/thread-routes.js';
import { wake } from './inbox/threads.js';
import { migrations } from './migrations.js';
import { registerRoutes } from './routes.js';
import type { BusinessSettings } from './settings.js';
import { Webhooks } from './webhooks/webhooks.js';

const WEBHOOK_SWEEP_JOB = 'webhook-sweep';

export default definePlugin<BusinessSettings>({
  migrations,
  async start(ctx) {
    const businesses = new BusinessStore(ctx);
    const app: BusinessApp = {
      ctx,
      businesses,
      agentsRooms: new AgentsRooms(ctx, businesses),
      roundRobin: new RoundRobin(ctx),
      botEvents: new BotEvents(ctx),
      webhooks: new Webhooks(ctx, businesses),
      assignDurations: new Durations(),
      freshThreads: new Map(),
    };
    const activity = new CustomerActivity(app);
    registerRoutes(app);
    registerThreadRoutes(app);
    provideServices(app);
    ctx.interactive.onPostback((postback) => onPostback(app, postback));
    ctx.events.on('message.created', ({ conversationId, message }) => activity.received(conversationId, message));
    ctx.scheduler.handle('wake', async (job) => {
      const { threadId, until } = job.payload as { threadId: string; until: number };
      await wake(app, threadId, until);
    });
    ctx.scheduler.handle(WEBHOOK_SWEEP_JOB, async () => {
      await app.webhooks.sender.sweep();
    });
    await ctx.scheduler.every(WEBHOOK_SWEEP_JOB, 1_000, { key: WEBHOOK_SWEEP_JOB });
  },
});
