import { Ajv, type ValidateFunction } from 'ajv';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { MessageContent } from '../../sdk/protocol/message.js';

/** A structured message type: its body must match `schema` (JSON Schema, draft-07). */
export interface MessageTypeDefinition {
  readonly schema: object;
  /** Who may send the type (anyone when absent): a plugin's types only its bot, so no one can forge them. */
  readonly mayPost?: (senderId: string | undefined) => boolean;
  /** Checks the schema cannot express (unique ids, say); throws invalid_message_body. */
  readonly check?: (body: unknown) => void;
}

export const STRUCTURED_TYPE_PATTERN = /^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)+$/;

/**
 * The structured content types this host accepts. Plugins register theirs; `system.*` types are
 * written by the host itself and never accepted from a sender.
 */
export class MessageTypeRegistry {
  private readonly ajv = new Ajv({ allErrors: true, strict: false });
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly definitions = new Map<string, MessageTypeDefinition>();

  constructor(
    private readonly maxBodyBytes: number,
    definitions: Record<string, MessageTypeDefinition> = {},
  ) {
    for (const [type, def] of Object.entries(definitions)) this.register(type, def);
  }

  register(type: string, definition: MessageTypeDefinition): void {
    if (!STRUCTURED_TYPE_PATTERN.test(type) || type.startsWith('system.')) {
      throw new Error(
        `Cannot register message type "${type}": names look like "namespace.name" and system.* is reserved`,
      );
    }
    if (this.validators.has(type)) throw new Error(`Message type "${type}" is already registered`);
    this.validators.set(type, this.ajv.compile(definition.schema));
    this.definitions.set(type, definition);
  }

  /** Removes a type (its plugin was disabled); messages already stored keep it. */
  unregister(type: string): void {
    this.validators.delete(type);
    this.definitions.delete(type);
  }

  has(type: string): boolean {
    return this.validators.has(type);
  }

  /** Checks content a user or plugin wants to send; the frame schema has already checked its shape. */
  assertSendable(content: MessageContent, senderId?: string): void {
    if (content.type === 'text') return;
    const validate = this.validators.get(content.type);
    const definition = this.definitions.get(content.type);
    if (validate && definition?.mayPost && !definition.mayPost(senderId)) {
      throw new SwitchboardError('forbidden', `Only the plugin that owns "${content.type}" may send it.`, {
        details: [{ path: '/content/type', message: 'belongs to a plugin' }],
      });
    }
    if (!validate) {
      throw new SwitchboardError(
        'unknown_message_type',
        `The message type "${content.type}" is not registered on this host.`,
        {
          details: [{ path: '/content/type', message: 'is not a registered message type' }],
        },
      );
    }
    const body = (content as { body: unknown }).body;
    if (Buffer.byteLength(JSON.stringify(body)) > this.maxBodyBytes) {
      throw new SwitchboardError('payload_too_large', `The message body exceeds ${this.maxBodyBytes} bytes.`);
    }
    if (!validate(body)) {
      throw new SwitchboardError('invalid_message_body', `The body does not match the schema of "${content.type}".`, {
        details: (validate.errors ?? []).map((e) => ({
          path: `/content/body${e.instancePath}`,
          message: e.message ?? 'is invalid',
        })),
      });
    }
    definition?.check?.(body);
  }
}
