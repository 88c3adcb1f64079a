import { ACCOUNT_RULES } from '../../sdk/protocol/message.js';

/** JSON Schemas shared by WebSocket frames and HTTP bodies. */

export const idSchema = { type: 'string', minLength: 1, maxLength: 64 } as const;
export const seqSchema = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;
export const limitSchema = (max: number) => ({ type: 'integer', minimum: 1, maximum: max }) as const;
export const titleSchema = { type: 'string', minLength: 1, maxLength: 128, pattern: '\\S' } as const;
export const handleSchema = { type: 'string', ...ACCOUNT_RULES.handle } as const;
export const displayNameSchema = { type: 'string', ...ACCOUNT_RULES.displayName, pattern: '\\S' } as const;
export const passwordSchema = { type: 'string', ...ACCOUNT_RULES.password } as const;

/**
 * Text, or a structured type with a JSON object body. `emptyText` lets a send carry "" (checked
 * against its attachments by the service: a file without a caption).
 */
export function contentSchema(maxTextLength: number, options: { emptyText?: boolean } = {}) {
  return {
    type: 'object',
    required: ['type'],
    properties: { type: { type: 'string', minLength: 1, maxLength: 64 } },
    if: { properties: { type: { const: 'text' } } },
    then: {
      required: ['type', 'text'],
      properties: {
        type: { const: 'text' },
        text: { type: 'string', minLength: options.emptyText ? 0 : 1, maxLength: maxTextLength },
      },
      additionalProperties: false,
    },
    else: {
      required: ['type', 'body'],
      properties: {
        type: { type: 'string', pattern: '^[a-z][a-z0-9_-]*(\\.[a-z0-9_-]+)+$' },
        body: { type: 'object' },
      },
      additionalProperties: false,
    },
  } as const;
}

/** The message a send forwards (sdk/protocol/frames.ts ForwardOf). */
export const forwardOfSchema = object(['conversationId', 'messageId'], {
  conversationId: idSchema,
  messageId: idSchema,
});

/** A send's uploads: 1 to `attachments.maxPerMessage` ids, each once. */
export const attachmentIdsSchema = (max: number) =>
  ({ type: 'array', minItems: 1, maxItems: max, uniqueItems: true, items: idSchema }) as const;

export function object(required: string[], properties: Record<string, object>) {
  return { type: 'object', required, properties, additionalProperties: false } as const;
}
