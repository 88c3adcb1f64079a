/** The messages capability: sending, editing and reading a conversation's messages as the plugin's bot. Part of PluginContext (../plugin-context.ts). */
import type { Message, MessageContent } from '../../protocol/message.js';

export interface HistoryQuery {
  before?: number;
  after?: number;
  limit?: number;
}

/** Only in conversations the plugin bot belongs to. */
export interface MessagesCapability {
  /**
   * permission messages.send. `clientMsgId` makes retries idempotent, as for clients.
   * `attachmentIds`: the bot's own unsent uploads (attachments.upload), sent with the message.
   * `threadRootId`: reply in that root's thread. Mentions in text are parsed as for people.
   */
  send(
    conversationId: string,
    content: MessageContent,
    options?: { clientMsgId?: string; replyToId?: string; attachmentIds?: string[]; threadRootId?: string },
  ): Promise<Message>;
  /** permission messages.edit; only the bot's own messages. */
  edit(conversationId: string, messageId: string, content: MessageContent): Promise<Message>;
  /** permission messages.read. */
  history(conversationId: string, query?: HistoryQuery): Promise<{ messages: Message[]; hasMore: boolean }>;
}
