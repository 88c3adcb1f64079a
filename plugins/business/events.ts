import type { BusinessApp } from './business-app.js';
import type { BusinessRow } from './businesses/businesses.js';
import type { WebhookEvent } from './webhooks/webhooks.js';

/** What agents hear live in their room: the inbox's changes, not every message (nor opt-in tokens). */
const AGENT_EVENTS = new Set(['conversation_started', 'assigned', 'handover', 'status', 'csat', 'invoice']);

/**
 * Something happened in a business's conversations: its backend hears it by webhook (durably,
 * retried); its bot, if one is attached, through `<bot>.businessEvent` (in order, at most
 * once: a bot that fails or is stopped misses the event, and the failure is logged); and its
 * agents, for changes of the inbox, as a "business.inbox" message in their room.
 */
export async function emitEvent(
  app: BusinessApp,
  businessId: string,
  type: string,
  fields: Omit<WebhookEvent, 'type' | 'at'>,
): Promise<void> {
  const b = await app.businesses.recent(businessId);
  if (b.bot_plugin_id !== null)
    app.botEvents.send(b.bot_plugin_id, { type, at: new Date().toISOString(), businessId, ...fields });
  if (AGENT_EVENTS.has(type)) await toAgents(app, b, type, fields);
  await app.webhooks.emit(b, type, fields);
}

async function toAgents(
  app: BusinessApp,
  b: BusinessRow,
  type: string,
  fields: Record<string, unknown>,
): Promise<void> {
  try {
    const room = await app.agentsRooms.of(b);
    const { customerId: _customer, conversationId: _conversation, ...rest } = fields;
    await app.ctx.messages.send(room, { type: 'business.inbox', body: { event: type, ...rest } });
  } catch (err) {
    app.ctx.log.warn('could not tell the agents', {
      businessId: b.id,
      type,
      error: String((err as Error)?.message ?? err),
    });
  }
}
