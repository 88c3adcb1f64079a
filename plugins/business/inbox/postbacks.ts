import type { CommandReply, Postback } from '../../../sdk/index.js';
import type { BusinessApp } from '../business-app.js';
import { BusinessError } from '../business-error.js';
import { customerMenu, HUMAN_MENU_ITEM } from '../businesses/business-config.js';
import { configOf } from '../businesses/businesses.js';
import { rate } from './csat.js';
import { emitEvent } from '../events.js';
import { changeControl } from './handover.js';
import { grantOptin } from '../outgoing/optins.js';
import type { ThreadRow } from './threads.js';

export type TapSource = 'message' | 'menu';

/**
 * A customer tapped a button or quick reply of a business message, or an item of the persistent
 * menu. Reserved ids are handled here: "handover:human" (to a person), "csat:<1-5>" (the survey),
 * "optin:<topic>" (a single-use opt-in). Any other id is a `postback` event for the bot and the
 * webhook, with the tapped id as `payload`.
 */
export async function tap(
  app: BusinessApp,
  thread: ThreadRow,
  id: string,
  source: TapSource,
  messageId: string | null,
): Promise<CommandReply> {
  if (id === HUMAN_MENU_ITEM.id) {
    await changeControl(app, thread, 'pass', 'agents', 'customer', 'The customer asked for a person.');
    return { text: 'A person will answer you here.' };
  }
  if (id.startsWith('csat:')) {
    await rate(app, thread, Number(id.slice(5)));
    return { text: 'Thank you for your rating.' };
  }
  if (id.startsWith('optin:')) {
    await grantOptin(app, thread, id.slice(6));
    return { text: 'Done: we will message you about it once.' };
  }
  await emitEvent(app, thread.business_id, 'postback', {
    threadId: thread.id,
    customerId: thread.customer_id,
    payload: id,
    source,
    messageId,
  });
  return { text: 'Got it.' };
}

/** The host's postback handler: taps on business messages, by the conversation's customer only. */
export async function onPostback(app: BusinessApp, postback: Postback): Promise<CommandReply | void> {
  const thread = await app.ctx.database
    .table<ThreadRow>('threads')
    .where({ conversation_id: postback.conversationId })
    .first();
  if (!thread || thread.customer_id !== postback.userId)
    return { text: 'Only the customer of this conversation can answer it.' };
  try {
    return await tap(app, thread, postback.buttonId, 'message', postback.messageId);
  } catch (err) {
    if (err instanceof BusinessError) return { text: err.message };
    throw err;
  }
}

/** A tap on the persistent menu, which lives in the business profile rather than in a message. */
export async function tapMenu(app: BusinessApp, thread: ThreadRow, itemId: unknown): Promise<CommandReply> {
  const menu = customerMenu(configOf(await app.businesses.recent(thread.business_id)));
  const item = menu.find((m) => 'id' in m && m.id === itemId);
  if (!item || !('id' in item))
    throw new BusinessError('invalid_business_request', 'itemId is the id of a postback item of the business menu.');
  return tap(app, thread, item.id, 'menu', null);
}
