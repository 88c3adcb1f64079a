/**
 * Finds `@handle` and `@all` tokens in a text message. Offsets and lengths count UTF-16 code units
 * (what JavaScript strings index, and what the wire's entities carry), the `@` included.
 */

/** A possible mention: the handle keys (lower case) it may name, longest first. */
export interface MentionCandidate {
  readonly offset: number;
  /** Each with the length of the token it would cover (the `@` included). */
  readonly keys: readonly { readonly key: string; readonly length: number }[];
  readonly isAll: boolean;
}

const HANDLE_CHARS = /[A-Za-z0-9_.-]/;
// What a handle may be (ACCOUNT_RULES in sdk/protocol/message.ts): 3 to 32 of these characters.
const MIN_HANDLE = 3;
const MAX_HANDLE = 32;

/** Whether parsing can find anything at all: most messages have no '@' and skip every step. */
export function mayMention(text: string): boolean {
  return text.includes('@');
}

/**
 * The tokens that could be mentions. A token starts at an `@` that follows no handle character
 * (so an address such as ann@example.com is not one) and takes the handle characters after it;
 * trailing dots and dashes may be sentence punctuation ("thanks @ada."), and trailing underscores
 * the end of italic ("_thanks @ada_", docs/protocol.md#text-formatting), so the token without them
 * is a candidate too (the longest known handle wins: @ada_ is Ada_ where she exists).
 */
export function mentionCandidates(text: string): MentionCandidate[] {
  const found: MentionCandidate[] = [];
  let at = text.indexOf('@');
  while (at !== -1) {
    const before = at > 0 ? text[at - 1]! : '';
    let end = at + 1;
    while (end < text.length && HANDLE_CHARS.test(text[end]!)) end++;
    if (before !== '@' && !HANDLE_CHARS.test(before)) {
      const token = text.slice(at + 1, end);
      const keys: { key: string; length: number }[] = [];
      for (const handle of new Set([token, token.replace(/[._-]+$/, '')])) {
        if (handle.length >= MIN_HANDLE && handle.length <= MAX_HANDLE)
          keys.push({ key: handle.toLowerCase(), length: handle.length + 1 });
      }
      if (keys.length > 0) found.push({ offset: at, keys, isAll: keys.some((k) => k.key === 'all') });
    }
    at = text.indexOf('@', end > at + 1 ? end : at + 1);
  }
  return found;
}
