import { SwitchboardError } from '../../../sdk/errors/switchboard-error.js';

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
