import type { BusinessApp } from './business-app.js';
import type { BusinessRow } from './businesses/businesses.js';
import type { WebhookEvent } from './webhooks/webhooks.js';

/** The webhook events agents hear live in their room: the inbox's changes (not opt-in tokens, nor postbacks). */
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
  if (type === 'assigned') await pushAssignment(app, b, fields);
  await app.webhooks.emit(b, type, fields);
}

/**
 * Tells the agent a conversation was given to them, by Web Push to their browsers: the host sends
 * it only while they have no socket open (an agent at the console sees it there) and outside their
 * quiet hours. Not when they took it themselves, nor without the notifications.send grant.
 */
async function pushAssignment(app: BusinessApp, b: BusinessRow, fields: Record<string, unknown>): Promise<void> {
  const { assignee, by } = fields;
  if (typeof assignee !== 'string' || assignee === by || !app.ctx.permissions.has('notifications.send')) return;
  try {
    await app.ctx.notifications.send(assignee, {
      title: `${b.name.slice(0, 80)}: a conversation for you`,
      body: 'A customer conversation was assigned to you. Open the agent console to answer.',
      url: '/agent',
      kind: 'assignment',
    });
  } catch (err) {
    app.ctx.log.warn('could not push the assignment to the agent', {
      businessId: b.id,
      error: String((err as Error)?.message ?? err),
    });
  }
}

/**
 * An inbox change that is no webhook event (the customers' messages, the business's replies, a
 * snooze running out), told to the agents only, so their consoles update without asking again.
 */
export async function tellAgents(
  app: BusinessApp,
  businessId: string,
  event: 'customer_messages' | 'business_message' | 'snooze_ended',
  fields: Record<string, unknown>,
): Promise<void> {
  await toAgents(app, await app.businesses.recent(businessId), event, fields);
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
