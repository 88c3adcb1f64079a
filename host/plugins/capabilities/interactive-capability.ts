import { randomUUID } from 'node:crypto';
import { SwitchboardError } from '../../../sdk/errors/switchboard-error.js';
import type { InteractiveCapability, InteractiveMessage } from '../../../sdk/plugin/plugin-context.js';
import type { PluginRecord } from '../plugin-record.js';
import type { PluginServices } from '../plugin-services.js';
import { INTERACTIVE_CARD_TYPE } from '../postback-router.js';
import type { CapabilityGuard } from './capability-guard.js';
import { pluginMessageId } from './plugin-message-ids.js';
import { optionsArg } from './options-arg.js';

/**
 * Cards with buttons, sent as the bot through MessageService (so membership, hooks, idempotency
 * and the body schema apply as to any message), and the handler for taps on them. Only the
 * `interactive` permission is needed: the PostbackRouter lets bots of plugins granted it send
 * the "interactive.card" type, which no other user may send.
 */
export function interactiveCapability(
  guard: CapabilityGuard,
  record: PluginRecord,
  services: PluginServices,
): InteractiveCapability {
  return {
    async send(conversationId, message, options) {
      guard.need('interactive');
      const botId = record.botUserId;
      if (!botId) throw new SwitchboardError('forbidden', `Plugin "${record.id}" has no bot user.`);
      const body = cardBody(message);
      const clientMsgId = pluginMessageId(optionsArg(options, '/2').clientMsgId, '/2/clientMsgId');
      return guard.audited(
        'interactive',
        'send',
        conversationId,
        async () =>
          (
            await services.messages.send(botId, {
              conversationId,
              clientMsgId: clientMsgId ?? randomUUID(),
              content: { type: INTERACTIVE_CARD_TYPE, body },
            })
          ).message,
      );
    },
    onPostback(handler) {
      guard.need('interactive');
      if (typeof handler !== 'function')
        throw new SwitchboardError('invalid_request', 'A postback handler must be a function.');
      record.handlers.postback = handler;
    },
  };
}

/** The known fields only, deep-copied: the schema of the type checks the rest. */
function cardBody(message: InteractiveMessage): Record<string, unknown> {
  if (typeof message !== 'object' || message === null) {
    throw new SwitchboardError(
      'invalid_request',
      'An interactive message is an object {text, buttons?, quickReplies?}.',
    );
  }
  const { text, buttons, quickReplies } = message;
  try {
    return structuredClone({
      text,
      ...(buttons !== undefined ? { buttons } : {}),
      ...(quickReplies !== undefined ? { quickReplies } : {}),
    });
  } catch {
    throw new SwitchboardError('invalid_request', 'An interactive message must be plain data (no functions).');
  }
}
