import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';

/**
 * Where a page of results ended, in the order each database returns them: the FTS5 rowid on
 * SQLite (the order messages were stored), and (created_at, conversation_id, seq) on PostgreSQL.
 * Opaque to clients: base64url of a small JSON array, checked whole when it comes back.
 */
export type SearchPosition =
  | { readonly kind: 'sqlite'; readonly rowid: number }
  | { readonly kind: 'postgres'; readonly createdAt: number; readonly conversationId: string; readonly seq: number };

/** Conversation ids are the host's own UUIDs: nothing a database could refuse (U+0000, say) gets through. */
const ID = /^[0-9A-Za-z-]{1,64}$/;

export function encodeCursor(position: SearchPosition): string {
  const parts =
    position.kind === 'sqlite'
      ? ['s', position.rowid]
      : ['p', position.createdAt, position.conversationId, position.seq];
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

export function decodeCursor(cursor: string, kind: SearchPosition['kind']): SearchPosition {
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    // Not one of ours; the client hears it below like any other bad cursor.
    parts = null;
  }
  const whole = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
  if (Array.isArray(parts)) {
    if (kind === 'sqlite' && parts.length === 2 && parts[0] === 's' && whole(parts[1])) {
      return { kind, rowid: parts[1] };
    }
    const [tag, createdAt, conversationId, seq] = parts as unknown[];
    if (
      kind === 'postgres' &&
      parts.length === 4 &&
      tag === 'p' &&
      whole(createdAt) &&
      typeof conversationId === 'string' &&
      ID.test(conversationId) &&
      whole(seq)
    ) {
      return { kind, createdAt, conversationId, seq };
    }
  }
  throw new SwitchboardError('invalid_request', 'The cursor is not one this host gave.', {
    details: [{ path: '/query/cursor', message: 'is not a cursor from a previous page' }],
  });
}
