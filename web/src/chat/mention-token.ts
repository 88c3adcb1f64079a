/**
 * The "@partial" a person is typing in the composer, wherever the caret is in the text (as in
 * Slack or Discord: going back into a sentence to mention someone works as at its end).
 */

/** The mention being typed: the text from `start` (its "@") to `end` (the caret) is what a pick replaces. */
export interface MentionToken {
  start: number;
  end: number;
  /** What is typed between the "@" and the caret: what the people listed start with. */
  partial: string;
}

// A handle's characters (ACCOUNT_RULES in sdk/protocol/message.ts), at most 32 of them.
const BEFORE_CARET = /(?:^|\s)@([A-Za-z0-9_.-]{0,32})$/;

/**
 * The mention token the caret is in: an "@" at the start of the text or after a space, then handle
 * characters up to the caret. What follows the caret stays out of it: "@bo" typed just before
 * "you" is to become "@bob you", not eat the word. Null with no caret (a selection), or elsewhere.
 */
export function mentionAt(text: string, caret: number | null): MentionToken | null {
  if (caret === null || caret > text.length) return null;
  const match = BEFORE_CARET.exec(text.slice(0, caret));
  if (!match) return null;
  const partial = match[1]!;
  return { start: caret - partial.length - 1, end: caret, partial };
}

/**
 * `text` with "@handle " in place of the token, the rest left as it was, and where the caret goes:
 * just after that space. A space already there is the one (no second space before the next word).
 */
export function replaceMention(text: string, token: MentionToken, handle: string): { text: string; caret: number } {
  const mention = `@${handle}`;
  const after = text.slice(token.end);
  const spaced = after.startsWith(' ') ? after : ` ${after}`;
  return { text: `${text.slice(0, token.start)}${mention}${spaced}`, caret: token.start + mention.length + 1 };
}
