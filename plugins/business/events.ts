import { errorCodeOf, withDeadline } from '../../sdk/index.js';
import type { BusinessApp } from './business-app.js';
import { agentsRoom, recentBusiness, type BusinessRow } from './businesses.js';
import type { WebhookEvent } from './webhooks.js';

/** The service an attached bot provides to hear what happens in its business's conversations. */
export const BOT_EVENT_SERVICE = 'businessEvent';
const BOT_CALL_TIMEOUT_MS = 5_000;

/** Per bot, calls go one after another, so a bot hears its events in order. */
const chains = new WeakMap<BusinessApp, Map<string, { tail: Promise<void>; waiting: number }>>();
/** Events waiting for a slow bot at most; later ones are dropped (and logged): delivery to bots is at most once. */
const MAX_WAITING_PER_BOT = 1_000;

/**
 * Something happened in a business's conversations: its backend hears it by webhook (durably,
 * retried); its bot, if one is attached, through `<bot>.businessEvent` (in order, at most
 * once: a bot that fails or is stopped misses the event, and the failure is logged); and its
 * agents, for changes of the inbox, as a "business.inbox" message in their room.
 */
export async function emitEvent(app: BusinessApp, businessId: string, type: string, fields: Omit<WebhookEvent, 'type' | 'at'>): Promise<void> {
  const b = await recentBusiness(app.ctx, businessId);
  if (b.bot_plugin_id !== null) toBot(app, b.bot_plugin_id, { type, at: new Date().toISOString(), businessId, ...fields });
  if (AGENT_EVENTS.has(type)) await toAgents(app, b, type, fields);
  await app.webhooks.emit(b, type, fields);
}

/** What agents hear live in their room: the inbox's changes, not every message (nor opt-in tokens). */
const AGENT_EVENTS = new Set(['conversation_started', 'assigned', 'handover', 'status', 'csat', 'invoice']);

async function toAgents(app: BusinessApp, b: BusinessRow, type: string, fields: Record<string, unknown>): Promise<void> {
  try {
    const room = await agentsRoom(app.ctx, b);
    const { customerId: _customer, conversationId: _conversation, ...rest } = fields;
    await app.ctx.messages.send(room, { type: 'business.inbox', body: { event: type, ...rest } });
  } catch (err) {
    app.ctx.log.warn('could not tell the agents', { businessId: b.id, type, error: String((err as Error)?.message ?? err) });
  }
}

function toBot(app: BusinessApp, pluginId: string, event: WebhookEvent): void {
  let byBot = chains.get(app);
  if (!byBot) chains.set(app, (byBot = new Map()));
  let chain = byBot.get(pluginId);
  if (!chain) byBot.set(pluginId, (chain = { tail: Promise.resolve(), waiting: 0 }));
  if (chain.waiting >= MAX_WAITING_PER_BOT) {
    app.ctx.log.warn('the business bot is too far behind; event dropped', { bot: pluginId, type: event.type });
    return;
  }
  const own = chain;
  own.waiting++;
  own.tail = own.tail.then(async () => {
    await callBot(app, pluginId, event);
    if (--own.waiting === 0 && byBot.get(pluginId) === own) byBot.delete(pluginId);
  });
}

/** Calls the bot's event service within a deadline; resolves either way. */
export async function callBot(app: BusinessApp, pluginId: string, event: WebhookEvent): Promise<string | null> {
  const outcome = await withDeadline(() => app.ctx.services.call(`${pluginId}.${BOT_EVENT_SERVICE}`, event), BOT_CALL_TIMEOUT_MS);
  const failure = 'value' in outcome ? null : 'timedOut' in outcome ? 'timeout' : errorCodeOf(outcome.error) ?? String((outcome.error as Error)?.message ?? outcome.error);
  if (failure !== null) app.ctx.log.warn('the business bot did not take an event', { bot: pluginId, type: event.type, failure });
  return failure;
}
