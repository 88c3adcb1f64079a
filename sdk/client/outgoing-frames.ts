import type { MessageContent } from '../protocol/message.js';
import type { PendingSend } from './client-types.js';
import type { RequestFrame } from './socket-session.js';

/** A message's content as the app gave it: a string is a text message. */
export function toContent(content: MessageContent | string): MessageContent {
  return typeof content === 'string' ? { type: 'text', text: content } : content;
}

/**
 * The `send` frame of an outbox item; optional fields only when set (the host's schema has no nulls
 * for them). A forward names its original instead of content: the host copies it.
 */
export function sendFrame(item: PendingSend): RequestFrame {
  return {
    type: 'send',
    conversationId: item.conversationId,
    clientMsgId: item.clientMsgId,
    ...(item.forwardOf ? { forwardOf: item.forwardOf } : { content: item.content }),
    ...(item.replyToId === null ? {} : { replyToId: item.replyToId }),
    ...(item.threadRootId ? { threadRootId: item.threadRootId } : {}),
    ...(item.attachmentIds?.length ? { attachmentIds: item.attachmentIds } : {}),
  };
}
