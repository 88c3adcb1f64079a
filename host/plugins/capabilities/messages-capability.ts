import { randomUUID } from 'node:crypto';
import type { MessagesCapability } from '../../../sdk/plugin/plugin-context.js';
import type { MessageService } from '../../messages/message-service.js';
import type { PinService } from '../../messages/pin-service.js';
import type { CapabilityGuard } from './capability-guard.js';
import { pluginAttachmentIds } from './attachments-capability.js';
import { pluginForwardOf, pluginMessageId, requiredPluginId } from './plugin-message-ids.js';
import { optionsArg } from './options-arg.js';

/**
 * Messages as the plugin's bot: the same services the frames and routes call, and so the same
 * rules, refusals and announcements as for people. What answers with words the bot did not write
 * (a forward's copy, a pin's message) needs messages.read besides its own permission, so a grant
 * of messages.send or messages.pin never reads what a refusal of messages.read hides.
 */
export function messagesCapability(
  guard: CapabilityGuard,
  botId: string,
  messages: MessageService,
  pins: PinService,
): MessagesCapability {
  return {
    async send(conversationId, content, given) {
      guard.need('messages.send');
      const options = optionsArg(given, '/2');
      const clientMsgId = pluginMessageId(options.clientMsgId, '/2/clientMsgId');
      const replyToId = pluginMessageId(options.replyToId, '/2/replyToId');
      const threadRootId = pluginMessageId(options.threadRootId, '/2/threadRootId');
      return guard.audited(
        'messages',
        'send',
        conversationId,
        async () =>
          (
            await messages.send(botId, {
              conversationId,
              clientMsgId: clientMsgId ?? randomUUID(),
              content: structuredClone(content),
              ...(replyToId ? { replyToId } : {}),
              ...(threadRootId ? { threadRootId } : {}),
              ...(options.attachmentIds !== undefined
                ? { attachmentIds: pluginAttachmentIds(options.attachmentIds) }
                : {}),
            })
          ).message,
      );
    },
    async forward(conversationId, of, given) {
      guard.need('messages.send');
      guard.need('messages.read');
      const to = requiredPluginId(conversationId, '/0');
      const forwardOf = pluginForwardOf(of, '/1');
      const clientMsgId = pluginMessageId(optionsArg(given, '/2').clientMsgId, '/2/clientMsgId');
      // A person's forward, as the send frame and POST …/messages make it (MessageService.send).
      return guard.audited(
        'messages',
        'forward',
        to,
        async () =>
          (await messages.send(botId, { conversationId: to, clientMsgId: clientMsgId ?? randomUUID(), forwardOf }))
            .message,
      );
    },
    async edit(conversationId, messageId, content) {
      guard.need('messages.edit');
      return guard.audited('messages', 'edit', messageId, () =>
        messages.edit(botId, conversationId, messageId, structuredClone(content)),
      );
    },
    async history(conversationId, given) {
      guard.need('messages.read');
      const query = optionsArg(given, '/1');
      return messages.history(botId, conversationId, {
        before: query.before,
        after: query.after,
        limit: Math.min(Math.max(query.limit ?? 50, 1), 100),
      });
    },
    async pin(conversationId, messageId) {
      guard.need('messages.pin');
      guard.need('messages.read');
      const [at, id] = [requiredPluginId(conversationId, '/0'), requiredPluginId(messageId, '/1')];
      return guard.audited('messages', 'pin', `${at}/${id}`, () => pins.pin(botId, at, id));
    },
    async unpin(conversationId, messageId) {
      guard.need('messages.pin');
      const [at, id] = [requiredPluginId(conversationId, '/0'), requiredPluginId(messageId, '/1')];
      await guard.audited('messages', 'unpin', `${at}/${id}`, () => pins.unpin(botId, at, id));
    },
    async pins(conversationId) {
      guard.need('messages.read');
      return pins.list(botId, requiredPluginId(conversationId, '/0'));
    },
  };
}
