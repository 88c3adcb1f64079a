/**
 * Business chat: businesses talk with their customers. This first part has businesses (profile,
 * verified flag, agents, API keys for their backends), one conversation per customer and
 * business, the inbox with statuses, and the 24-hour messaging window. A trusted first-party
 * plugin that uses only the SDK. See docs/business.md.
 */
import { definePlugin } from '../../sdk/index.js';
import { migrations } from './migrations.js';
import { registerRoutes } from './routes.js';
import { customerWrote, wake } from './threads.js';

export default definePlugin({
  migrations,
  start(ctx) {
    registerRoutes(ctx);
    ctx.scheduler.handle('wake', async (job) => {
      const { threadId, until } = job.payload as { threadId: string; until: number };
      await wake(ctx, threadId, until);
    });
    ctx.events.on('message.created', async ({ conversationId, message }) => {
      if (message.senderId === ctx.self.id) return;
      await customerWrote(ctx, conversationId, message.senderId, Date.parse(message.createdAt));
    });
  },
});
