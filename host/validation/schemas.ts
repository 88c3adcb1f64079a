/** JSON Schemas shared by WebSocket frames and HTTP bodies. */

export const idSchema = { type: 'string', minLength: 1, maxLength: 64 } as const;
export const seqSchema = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;
export const limitSchema = (max: number) => ({ type: 'integer', minimum: 1, maximum: max }) as const;
export const titleSchema = { type: 'string', minLength: 1, maxLength: 128, pattern: '\\S' } as const;
export const handleSchema = { type: 'string', minLength: 3, maxLength: 32, pattern: '^[A-Za-z0-9_.-]+$' } as const;
export const displayNameSchema = { type: 'string', minLength: 1, maxLength: 64, pattern: '\\S' } as const;
export const passwordSchema = { type: 'string', minLength: 8, maxLength: 256 } as const;

/** Text, or a structured type with a JSON object body. */
export function contentSchema(maxTextLength: number) {
  return {
    type: 'object',
    required: ['type'],
    properties: { type: { type: 'string', minLength: 1, maxLength: 64 } },
    if: { properties: { type: { const: 'text' } } },
    then: {
      required: ['type', 'text'],
      properties: { type: { const: 'text' }, text: { type: 'string', minLength: 1, maxLength: maxTextLength } },
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

export function object(required: string[], properties: Record<string, object>) {
  return { type: 'object', required, properties, additionalProperties: false } as const;
}
