/** The messages capability: sending, forwarding, editing, pinning and reading a conversation's messages as the plugin's bot. Part of PluginContext (../plugin-context.ts). */
import type { ForwardOf, Message, MessageContent } from '../../protocol/message.js';
import type { Pin } from '../../protocol/pins.js';

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
  /**
   * permissions messages.send and messages.read (a forward is a send of words the bot reads).
   * Forwards the message `of` names, which the bot must be able to read (a member of its
   * conversation), into `conversationId`, as a person forwards: the bot's own message, marked
   * `forwarded`, mentioning no one, with copies of its files.
   */
  forward(conversationId: string, of: ForwardOf, options?: { clientMsgId?: string }): Promise<Message>;
  /** permission messages.edit; only the bot's own messages. */
  edit(conversationId: string, messageId: string, content: MessageContent): Promise<Message>;
  /** permission messages.read. */
  history(conversationId: string, query?: HistoryQuery): Promise<{ messages: Message[]; hasMore: boolean }>;
  /**
   * permissions messages.pin and messages.read (the answer carries the pinned message). Pins as a
   * member pins: announced by a `system.message_pinned` message; pinned already, the pin it has.
   */
  pin(conversationId: string, messageId: string): Promise<Pin>;
  /** permission messages.pin. Announced by a `system.message_unpinned` message when it was pinned. */
  unpin(conversationId: string, messageId: string): Promise<void>;
  /** permission messages.read. The conversation's pins, newest first. */
  pins(conversationId: string): Promise<Pin[]>;
}
