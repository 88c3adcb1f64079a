import { SwitchboardError } from '../../../sdk/errors/switchboard-error.js';
import type { ForwardOf } from '../../../sdk/protocol/message.js';

/** As people's frames and bodies have them (validation/schemas.ts idSchema), and as the columns hold them. */
const MAX_ID_CHARS = 64;

/**
 * An id a plugin passes in a send's options (`clientMsgId`, `replyToId`, `threadRootId`): people's
 * sends are held to 1-64 characters by their schemas, and a plugin's must be too. Unchecked, a
 * megabyte `clientMsgId` went out with the message to every member (past the content's own
 * limits) on SQLite, and failed as an internal error on PostgreSQL's 64-character column.
 * Absent (`undefined`) stays absent; '' is absent too, as it always was for the reply ids.
 */
export function pluginMessageId(value: unknown, path: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || value.length > MAX_ID_CHARS)
    throw new SwitchboardError('invalid_request', `${path} must be an id of 1 to ${MAX_ID_CHARS} characters.`, {
      details: [{ path, message: `must be a string of 1 to ${MAX_ID_CHARS} characters` }],
    });
  return value;
}

/** An id a plugin must pass (a message or conversation it names): the same 1-64 characters, never absent. */
export function requiredPluginId(value: unknown, path: string): string {
  const id = pluginMessageId(value, path);
  if (id === undefined)
    throw new SwitchboardError('invalid_request', `${path} is required: an id of 1 to ${MAX_ID_CHARS} characters.`, {
      details: [{ path, message: 'is required' }],
    });
  return id;
}

/** The message a forward names, checked as people's `forwardOf` is (validation/schemas.ts forwardOfSchema). */
export function pluginForwardOf(value: unknown, path: string): ForwardOf {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new SwitchboardError('invalid_request', `${path} must be an object: { conversationId, messageId }.`, {
      details: [{ path, message: 'must be an object with conversationId and messageId' }],
    });
  const extra = Object.keys(value).find((key) => key !== 'conversationId' && key !== 'messageId');
  if (extra !== undefined)
    throw new SwitchboardError('invalid_request', `${path} takes only conversationId and messageId.`, {
      details: [{ path: `${path}/${extra.slice(0, 64)}`, message: 'is not an allowed field' }],
    });
  const { conversationId, messageId } = value as Partial<Record<keyof ForwardOf, unknown>>;
  // A copy: the plugin keeps its object, and changing it later changes nothing here.
  return {
    conversationId: requiredPluginId(conversationId, `${path}/conversationId`),
    messageId: requiredPluginId(messageId, `${path}/messageId`),
  };
}
