import type { BusinessApp } from '../business-app.js';
import { BusinessError } from '../business-error.js';
import type { BusinessRow } from '../businesses/businesses.js';
import { changeControl } from '../inbox/handover.js';
import type { ThreadRow } from '../inbox/threads.js';
import { userOrNull } from '../known-user.js';

/**
 * Attaches the business's bot: a plugin (trusted or a sandboxed app) that answers new
 * conversations first. It must provide the `businessEvent` service, and answer a `ping` through
 * it now. Conversations opened from then on start with the bot in control; null detaches it and
 * hands every conversation it had to the agents.
 */
export async function attachBot(app: BusinessApp, b: BusinessRow, pluginId: unknown): Promise<BusinessRow> {
  const { ctx } = app;
  if (pluginId === null) {
    const detached = await app.businesses.update(b, { bot_plugin_id: null, bot_user_id: null });
    // Every conversation the bot had goes to the agents, each with its notice and event.
    for (let page = await botThreads(app, b.id); page.length > 0; page = await botThreads(app, b.id)) {
      for (const thread of page)
        await changeControl(app, thread, 'take', 'agents', 'business', 'The business detached its bot.');
    }
    return detached;
  }
  if (typeof pluginId !== 'string' || !/^[a-z][a-z0-9-]{2,31}$/.test(pluginId) || pluginId === ctx.plugin.id)
    throw new BusinessError('invalid_business_request', 'pluginId is the id of another plugin, or null.');
  // Every plugin has a bot user under its id: none means no such plugin runs here.
  const user = await userOrNull(ctx.users.byHandle(pluginId));
  if (!user || user.kind !== 'bot')
    throw new BusinessError('bot_unreachable', `No plugin "${pluginId}" runs on this host.`);
  const failure = await app.botEvents.call(pluginId, { type: 'ping', at: new Date().toISOString(), businessId: b.id });
  if (failure !== null)
    throw new BusinessError('bot_unreachable', `${pluginId}.businessEvent did not answer a ping (${failure}).`);
  return app.businesses.update(b, { bot_plugin_id: pluginId, bot_user_id: user.id });
}

const botThreads = (app: BusinessApp, businessId: string) =>
  app.ctx.database.table<ThreadRow>('threads').where({ business_id: businessId, control: 'bot' }).limit(200).all();
