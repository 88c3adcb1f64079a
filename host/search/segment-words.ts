import type { Message } from '../../sdk/protocol/message.js';
import { MAX_SEGMENT_TEXT, SEGMENT } from '../db/migrations/0021-search-segments.js';
import { plainWords } from '../db/search-words.js';

/** A full segment's words, cut by this host as its messages committed (migration 0025). */
export interface GatheredSegment {
  readonly conversationId: string;
  readonly firstSeq: number;
  readonly oldestAt: number;
  readonly newestAt: number;
  /** Its distinct words, each with the offsets in the segment of the messages holding it: `hello:1,5 world:5` (migration 0026). */
  readonly words: string;
}

interface Gathering {
  readonly firstSeq: number;
  nextSeq: number;
  oldestAt: number;
  newestAt: number;
  bytes: number;
  /** Each word's offsets, ascending (a message's repeats are one). */
  readonly words: Map<string, number[]>;
}

/** Conversations gathered at once, at most: past it, new segments are left to the database to cut. */
const MAX_GATHERING = 20_000;

/**
 * Gathers the words of each conversation's newest segment as its messages commit, so that the
 * builder can hand the database a full segment's words instead of having it read back and cut
 * every text (search-segment-builder.ts). A segment is gathered only from its first message on,
 * with every seq seen in turn and every text plain (search-words.ts); any other segment (one
 * another host wrote to, one this host started after, one with a text only the database cuts
 * alike, or too much text to keep words) is left to the database, which is always right.
 */
export class SegmentWords {
  private readonly open = new Map<string, Gathering>();

  /** Takes each new message as it commits; returns its segment once full and all gathered here. */
  add(message: Message): GatheredSegment | null {
    const id = message.conversationId;
    let gathering = this.open.get(id);
    if (message.seq % SEGMENT === 1 && (gathering !== undefined || this.open.size < MAX_GATHERING)) {
      gathering = {
        firstSeq: message.seq,
        nextSeq: message.seq,
        oldestAt: Infinity,
        newestAt: 0,
        bytes: 0,
        words: new Map(),
      };
      this.open.set(id, gathering);
    }
    if (gathering === undefined) return null;
    if (gathering.nextSeq !== message.seq || !take(gathering, message)) {
      this.open.delete(id);
      return null;
    }
    gathering.nextSeq++;
    if (message.seq % SEGMENT !== 0) return null;
    this.open.delete(id);
    const { firstSeq, oldestAt, newestAt, words } = gathering;
    let keyed = '';
    for (const [word, offsets] of words) keyed += `${keyed ? ' ' : ''}${word}:${offsets.join(',')}`;
    return { conversationId: id, firstSeq, oldestAt, newestAt, words: keyed };
  }

  /** Drops what was gathered of a conversation (its newest messages are about to be built). */
  forget(conversationId: string): void {
    this.open.delete(conversationId);
  }
}

/** Adds a message to its segment's gathering; false if only the database can cut it. */
function take(gathering: Gathering, message: Message): boolean {
  const at = Date.parse(message.createdAt);
  gathering.oldestAt = Math.min(gathering.oldestAt, at);
  gathering.newestAt = Math.max(gathering.newestAt, at);
  if (message.content?.type !== 'text' || !('text' in message.content)) return true;
  const words = plainWords(message.content.text);
  // A plain text is ASCII: its length is its bytes.
  if (words === null || (gathering.bytes += message.content.text.length) > MAX_SEGMENT_TEXT) return false;
  const offset = message.seq - gathering.firstSeq + 1;
  for (const word of words) {
    const offsets = gathering.words.get(word);
    if (offsets === undefined) gathering.words.set(word, [offset]);
    else if (offsets[offsets.length - 1] !== offset) offsets.push(offset);
  }
  return true;
}
