import type { StoredValue } from '../../sdk/index.js';
import type { StoredDecision as Decision } from '../../sdk/index.js';

/**
 * One poll, stored as one value under `poll/<conversationId>/<id>`. The votes live in the same
 * value as `closed`, so every vote and the close are compare-and-set writes of one key: no vote
 * can land after the close, and two votes at once never overwrite each other.
 */
export interface Poll {
  /** Its number in the conversation: 1, 2, 3 … */
  id: number;
  question: string;
  options: string[];
  creatorId: string;
  /** The card; null for the moment between posting it and recording its id. */
  messageId: string | null;
  closed: boolean;
  /** Voter's user id → index of the option they chose: one vote per user. */
  votes: Record<string, number>;
}

export const pollKey = (conversationId: string, id: number) => `poll/${conversationId}/${id}`;
/** The last poll number used in a conversation. */
export const counterKey = (conversationId: string) => `poll-counter/${conversationId}`;

export type VoteOutcome =
  | { kind: 'voted'; option: number }
  | { kind: 'moved'; option: number; from: number }
  | { kind: 'unchanged'; option: number }
  | { kind: 'closed' }
  | { kind: 'gone' };

/** A tap on option `option` of the card `messageId`, by `userId`. */
export function decideVote(
  current: StoredValue<Poll> | null,
  messageId: string,
  userId: string,
  option: number,
): Decision<Poll, VoteOutcome> {
  const poll = current?.value;
  // A card whose poll is gone, or an older card that happens to carry the same button ids (the
  // app's storage was purged and the numbers started over), must not count in this poll.
  if (!poll || (poll.messageId !== null && poll.messageId !== messageId) || option >= poll.options.length)
    return { result: { kind: 'gone' } };
  if (poll.closed) return { result: { kind: 'closed' } };
  const previous = poll.votes[userId];
  if (previous === option) return { result: { kind: 'unchanged', option } };
  const write: Poll = { ...poll, messageId, votes: { ...poll.votes, [userId]: option } };
  return {
    write,
    result: previous === undefined ? { kind: 'voted', option } : { kind: 'moved', option, from: previous },
  };
}

export type CloseOutcome = 'closed' | 'missing' | 'not-creator' | 'already-closed';

export function decideClose(current: StoredValue<Poll> | null, userId: string): Decision<Poll, CloseOutcome> {
  const poll = current?.value;
  if (!poll) return { result: 'missing' };
  if (poll.creatorId !== userId) return { result: 'not-creator' };
  if (poll.closed) return { result: 'already-closed' };
  return { write: { ...poll, closed: true }, result: 'closed' };
}

/** Votes per option, in option order. */
export function countVotes(poll: Poll): number[] {
  const counts = poll.options.map(() => 0);
  for (const option of Object.values(poll.votes)) {
    if (option >= 0 && option < counts.length) counts[option]! += 1;
  }
  return counts;
}
