import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';

/** Array properties, at any depth of a body, whose objects are buttons a member can tap. */
const TAPPABLE_ARRAYS = new Set(['buttons', 'quickReplies']);

/**
 * The ids a member can tap on a structured message: the string `id` of each object inside an
 * array property named `buttons` or `quickReplies`, at any depth of the body (body.buttons[0].id,
 * body.elements[2].buttons[0].id, ...), duplicates included. Objects without a
 * string `id` (URL buttons `{type: "url", url, label}`, say) are not tappable.
 */
export function tappableIds(body: unknown): string[] {
  const ids: string[] = [];
  // Iterative, so a deeply nested body cannot overflow the stack.
  const stack: unknown[] = [body];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value !== 'object' || value === null) continue;
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push(value[i]);
      continue;
    }
    const entries = Object.entries(value);
    for (const [key, child] of entries) {
      if (!TAPPABLE_ARRAYS.has(key) || !Array.isArray(child)) continue;
      for (const item of child) {
        const id =
          typeof item === 'object' && item !== null && !Array.isArray(item) ? (item as { id?: unknown }).id : undefined;
        if (typeof id === 'string') ids.push(id);
      }
    }
    for (let i = entries.length - 1; i >= 0; i--) stack.push(entries[i]![1]);
  }
  return ids;
}

/** Tappable ids name what was tapped, so they must be unique within a message; throws invalid_message_body. */
export function assertUniqueTappableIds(body: unknown): void {
  const seen = new Set<string>();
  for (const id of tappableIds(body)) {
    if (seen.has(id)) {
      throw new SwitchboardError(
        'invalid_message_body',
        `Button and quick reply ids must be unique; "${id}" is used twice.`,
        {
          details: [{ path: '/content/body', message: 'has duplicate button ids' }],
        },
      );
    }
    seen.add(id);
  }
}
