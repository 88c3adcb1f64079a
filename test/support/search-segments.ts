/** Looking at PostgreSQL's search segments (migration 0021) behind a test host's back. */
import { SEGMENT } from '../../host/db/migrations/0021-search-segments.js';
import { eventually } from './eventually.js';
import { sample, scrape } from './metrics-helpers.js';
import { postText } from './search-helpers.js';
import type { TestHost, TestUser } from './start-test-host.js';
import { withDirect } from './test-database.js';

/** A message as POST /v1/conversations/:id/messages answers it. */
export interface Stored {
  id: string;
  seq: number;
  content: { text: string };
  createdAt: string;
}

export const textOf = (stored: Stored[], text: string) => stored.find((m) => m.content.text === text)!;

/** Texts sent ten at a time (a batch may share one millisecond: seq orders it), by seq. */
export async function sendTexts(host: TestHost, user: TestUser, conversationId: string, texts: string[]) {
  const stored: Stored[] = [];
  for (let i = 0; i < texts.length; i += 10)
    stored.push(
      ...((await Promise.all(texts.slice(i, i + 10).map((t) => postText(host, user, conversationId, t)))) as Stored[]),
    );
  return stored.sort((x, y) => x.seq - y.seq);
}

/** The conversation's segments as the index holds them, oldest first. */
export const segmentsOf = (host: TestHost, conversationId: string) =>
  withDirect(host.database, (db) =>
    db('search_segments')
      .where('conversation_id', conversationId)
      .orderBy('first_seq')
      .select<{ first_seq: number; last_seq: number; complete: boolean; words: string | null }[]>(
        'first_seq',
        'last_seq',
        db.raw(`last_seq = first_seq + ${SEGMENT - 1} as complete`),
        db.raw('keys::text as words'),
      ),
  );

/**
 * Waits until the conversation has `count` full segments. A host builds one segment at a time, in
 * the background: on a loaded machine (a full test run beside other work) one took over 10 s.
 */
export const builtSegments = (host: TestHost, conversationId: string, count: number) =>
  eventually(async () => (await segmentsOf(host, conversationId)).filter((s) => s.complete).length === count, {
    what: `${count} built segments`,
    timeoutMs: 30_000,
  });

/**
 * The conversation's first segment's keyed words with their offsets (`<key>word:1,5`: the
 * messages of the segment holding them, migration 0026), and those the database cuts from its
 * stored texts.
 */
export const firstSegmentWords = (host: TestHost, conversationId: string) =>
  withDirect(host.database, async (db) => {
    const words = async (sql: string) =>
      (await db.raw<{ rows: { w: string }[] }>(sql, [conversationId])).rows.map((r) => r.w);
    return {
      segment: await words(
        `select t.lexeme || ':' || array_to_string(t.positions, ',') as w
           from search_segments s cross join lateral unnest(s.keys) as t
           where s.conversation_id = ? and s.first_seq = 1 order by 1`,
      ),
      messages: await words(
        `select lexeme || ':' || string_agg(pos::text, ',' order by pos) as w from (
           select distinct l as lexeme, (seq - 1) % ${SEGMENT} + 1 as pos from messages
           cross join lateral unnest(tsvector_to_array(switchboard_search_keys(conversation_id, content))) as l
           where conversation_id = ? and seq <= ${SEGMENT} and content_type = 'text') as x
         group by lexeme order by 1`,
      ),
    };
  });

/** Segments the host built so far whose words were cut where `words` says (its metrics). */
export const segmentsBuiltFrom = async (host: TestHost, words: 'host' | 'database') =>
  sample(await scrape(host), 'switchboard_search_segments_built_total', { words }) ?? 0;
