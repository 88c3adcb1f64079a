import { MAX_RESUME_CONVERSATIONS, type ClientFrame } from '../../sdk/protocol/frames.js';
import type { HostConfig } from '../config/host-config.js';
import {
  attachmentIdsSchema,
  contentSchema,
  forwardOfSchema,
  idSchema,
  limitSchema,
  object,
  seqSchema,
} from '../validation/schemas.js';

/** One schema per client frame type; unknown fields are refused so that typos surface. */
export function frameSchemas(config: HostConfig): Record<ClientFrame['type'], object> {
  const content = contentSchema(config.messages.maxTextLength);
  const type = (name: string) => ({ const: name });
  return {
    auth: object(['type', 'token'], { type: type('auth'), token: { type: 'string', minLength: 1, maxLength: 256 } }),
    // content or forwardOf, exactly one: the service checks it (forward-source.ts).
    send: object(['type', 'id', 'conversationId', 'clientMsgId'], {
      type: type('send'),
      id: idSchema,
      conversationId: idSchema,
      clientMsgId: idSchema,
      content: contentSchema(config.messages.maxTextLength, { emptyText: true }),
      forwardOf: forwardOfSchema,
      replyToId: idSchema,
      threadRootId: idSchema,
      attachmentIds: attachmentIdsSchema(config.attachments.maxPerMessage),
    }),
    edit: object(['type', 'id', 'conversationId', 'messageId', 'content'], {
      type: type('edit'),
      id: idSchema,
      conversationId: idSchema,
      messageId: idSchema,
      content,
    }),
    delete: object(['type', 'id', 'conversationId', 'messageId'], {
      type: type('delete'),
      id: idSchema,
      conversationId: idSchema,
      messageId: idSchema,
    }),
    react: object(['type', 'id', 'conversationId', 'messageId', 'emoji', 'op'], {
      type: type('react'),
      id: idSchema,
      conversationId: idSchema,
      messageId: idSchema,
      emoji: { type: 'string', minLength: 1, maxLength: 32 },
      op: { enum: ['add', 'remove'] },
    }),
    pin: object(['type', 'id', 'conversationId', 'messageId'], {
      type: type('pin'),
      id: idSchema,
      conversationId: idSchema,
      messageId: idSchema,
    }),
    unpin: object(['type', 'id', 'conversationId', 'messageId'], {
      type: type('unpin'),
      id: idSchema,
      conversationId: idSchema,
      messageId: idSchema,
    }),
    pins: object(['type', 'id', 'conversationId'], { type: type('pins'), id: idSchema, conversationId: idSchema }),
    read: object(['type', 'id', 'conversationId', 'seq'], {
      type: type('read'),
      id: idSchema,
      conversationId: idSchema,
      seq: seqSchema,
    }),
    typing: object(['type', 'conversationId', 'state'], {
      type: type('typing'),
      conversationId: idSchema,
      state: { enum: ['started', 'stopped'] },
    }),
    history: object(['type', 'id', 'conversationId'], {
      type: type('history'),
      id: idSchema,
      conversationId: idSchema,
      before: seqSchema,
      after: seqSchema,
      limit: limitSchema(100),
    }),
    resume: object(['type', 'id', 'conversations'], {
      type: type('resume'),
      id: idSchema,
      conversations: {
        type: 'array',
        maxItems: MAX_RESUME_CONVERSATIONS,
        items: object(['conversationId', 'pts'], { conversationId: idSchema, pts: seqSchema }),
      },
    }),
    'presence.subscribe': object(['type', 'id', 'userIds'], {
      type: type('presence.subscribe'),
      id: idSchema,
      userIds: { type: 'array', minItems: 1, maxItems: 100, items: idSchema },
    }),
    'presence.unsubscribe': object(['type', 'id', 'userIds'], {
      type: type('presence.unsubscribe'),
      id: idSchema,
      userIds: { type: 'array', minItems: 1, maxItems: 100, items: idSchema },
    }),
    ping: object(['type'], { type: type('ping'), id: idSchema }),
    command: object(['type', 'id', 'conversationId', 'text'], {
      type: type('command'),
      id: idSchema,
      conversationId: idSchema,
      text: { type: 'string', minLength: 2, maxLength: 4000 },
      idempotencyKey: { type: 'string', minLength: 1, maxLength: 128 },
    }),
    postback: object(['type', 'id', 'conversationId', 'messageId', 'buttonId'], {
      type: type('postback'),
      id: idSchema,
      conversationId: idSchema,
      messageId: idSchema,
      buttonId: { type: 'string', minLength: 1, maxLength: 64 },
    }),
  };
}
