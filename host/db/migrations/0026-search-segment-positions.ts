import type { Knex } from 'knex';
import { MAX_SEGMENT_TEXT, SEGMENT } from './0021-search-segments.js';

/**
 * PostgreSQL: a segment's keyed words (0021) carry where they are: each lexeme's positions are
 * the offsets in the segment (1 to SEGMENT, seq - first_seq + 1) of the messages that hold it. A
 * search then reads only the messages of a segment that hold every word it asks, not all 64
 * (search/postgres-matches.ts): a word in few messages of many segments, or a common word joined
 * with a rarer one, had each segment's 64 messages fetched from the heap one by one, about 4 µs
 * each, to keep one or two (README, issue 16). Positions cost the index nothing (GIN keeps no
 * positions) and a segment's row about 2 bytes a word.
 *
 * tsvector's `||` shifts the right operand's positions, so two keys are joined through their text
 * form, whose input merges a lexeme's positions. A segment is at most SEGMENT messages, far under
 * the 256 positions a lexeme may hold. The host's words come as `word:1,5` (0025's put), which
 * segment-words.ts cuts; words without offsets (a host of the release before) are built by the
 * database instead. Replaces 0021's and 0025's functions with the same signatures, so down has
 * nothing to restore: older code reads positioned keys as it read plain ones.
 */
export const name = '0026-search-segment-positions';

const isPostgres = (knex: Knex) => (knex.client as Knex.Client).config.client === 'pg';

/** The offset of seq `seq` in its segment. */
const offsetIn = (seq: string) => `((${seq} - 1) % ${SEGMENT} + 1)`;
const segmentStart = (seq: string) => `((${seq} - 1) / ${SEGMENT} * ${SEGMENT} + 1)`;

/** `a || b` for two segments' keys, positions kept: null (read always) if either is, or if they would grow too large. */
const mergedKeys = (a: string, b: string) =>
  `case when ${a} is null or ${b} is null or pg_column_size(${a}) + pg_column_size(${b}) > ${MAX_SEGMENT_TEXT * 4}
     then null else (${a}::text || ' ' || ${b}::text)::tsvector end`;

/**
 * A message's keyed words (0018) as tsvector input, each at `pos`: `'0a1b2c3dhello':3 …`, from
 * the tsvector's own output (each lexeme quoted and escaped, `' '` between two: a lexeme holds
 * no space). Null for a text with no words. Written out where used: as a function of its own,
 * not inlined, it cost about 130 µs a message instead of 15.
 */
const messageKeys = (conversationId: string, content: string, pos: string) =>
  `replace(switchboard_search_keys(${conversationId}, ${content})::text, ''' ''', ''':' || ${pos} || ' ''') || ':' || ${pos}`;

/** The keys of a segment, as an aggregate over its messages `m`. */
const segmentKeys = `switchboard_positioned_segment_keys(
  string_agg(${messageKeys('m.conversation_id', 'm.content', offsetIn('m.seq'))}, ' ')
    filter (where m.content_type = 'text'),
  coalesce(sum(octet_length(m.content)) filter (where m.content_type = 'text'), 0))`;

export async function up(knex: Knex): Promise<void> {
  if (!isPostgres(knex)) return;
  await knex.raw(`create or replace function switchboard_positioned_segment_keys(keyed text, bytes bigint)
    returns tsvector language sql immutable parallel safe as $$
    select case when bytes > ${MAX_SEGMENT_TEXT} then null else coalesce(keyed::tsvector, ''::tsvector) end $$`);
  // The lexemes of `keys` that start with `prefix`, for a search of a word's beginning: found by
  // halving (tsvector keeps its lexemes sorted by their bytes), about a quarter of the cost of
  // testing each of a segment's few hundred lexemes in SQL.
  await knex.raw(`create or replace function switchboard_prefix_lexemes(keys tsvector, prefix text) returns text[]
    language plpgsql immutable strict parallel safe as $$
    declare
      lexemes text[] := tsvector_to_array(keys);
      lo int := 1;
      hi int := cardinality(lexemes) + 1;
      mid int;
      found text[] := '{}';
    begin
      while lo < hi loop
        mid := (lo + hi) / 2;
        if lexemes[mid] collate "C" < prefix collate "C" then lo := mid + 1; else hi := mid; end if;
      end loop;
      while lo <= cardinality(lexemes) and starts_with(lexemes[lo], prefix) loop
        found := found || lexemes[lo];
        lo := lo + 1;
      end loop;
      return found;
    end $$`);
  await knex.raw(`create or replace function switchboard_build_search_segments(ids varchar[], partial boolean) returns bigint
    language sql volatile set search_path from current set lock_timeout = '200ms' as $$
    with due as materialized (
      select c.id, coalesce((select max(g.last_seq) from search_segments g
          where g.conversation_id = c.id and g.last_seq >= g.first_seq), 0) as covered,
        case when partial then c.last_seq else c.last_seq / ${SEGMENT} * ${SEGMENT} end as target
      from conversations c where ids is null or c.id = any(ids)
    ), built as (
      insert into search_segments as s (conversation_id, first_seq, last_seq, oldest_at, newest_at, keys)
      select m.conversation_id, ${segmentStart('m.seq')}, max(m.seq), min(m.created_at), max(m.created_at), ${segmentKeys}
      from due d join messages m on m.conversation_id = d.id
        and m.seq > d.covered and m.seq <= d.target
      where d.target > d.covered
      group by m.conversation_id, ${segmentStart('m.seq')}
      on conflict (conversation_id, first_seq) do update set
        keys = ${mergedKeys('s.keys', 'excluded.keys')}, last_seq = excluded.last_seq,
        oldest_at = least(s.oldest_at, excluded.oldest_at), newest_at = greatest(s.newest_at, excluded.newest_at)
      where s.last_seq < excluded.last_seq
      returning 1)
    select count(*) from built $$`);
  await knex.raw(`create or replace function switchboard_search_segment_edit() returns trigger
    language plpgsql set search_path from current as $$
    declare
      seg_start bigint := ${segmentStart('new.seq')};
      covered bigint;
    begin
      insert into search_segments (conversation_id, first_seq, last_seq, oldest_at, newest_at, keys)
        values (new.conversation_id, seg_start, seg_start - 1, new.created_at, new.created_at, ''::tsvector)
        on conflict do nothing;
      select g.last_seq into covered from search_segments g
        where g.conversation_id = new.conversation_id and g.first_seq = seg_start for update;
      if new.seq <= covered then
        update search_segments g set keys = (select ${segmentKeys} from messages m
            where m.conversation_id = new.conversation_id and m.seq between seg_start and covered)
          where g.conversation_id = new.conversation_id and g.first_seq = seg_start;
      elsif new.content_type = 'text' then
        update search_segments g set keys = ${mergedKeys(
          'g.keys',
          `switchboard_positioned_segment_keys(${messageKeys('new.conversation_id', 'new.content', offsetIn('new.seq'))}, octet_length(new.content))`,
        )}
          where g.conversation_id = new.conversation_id and g.first_seq = seg_start;
      end if;
      return null;
    end $$`);
  await knex.raw(putSegments);
  // Every segment again, with positions: a covered one from its messages, a row an edit made
  // (covering nothing yet) from every message of its range, a superset of the edits it holds.
  await knex.raw(`update search_segments g set keys = (select ${segmentKeys} from messages m
      where m.conversation_id = g.conversation_id and m.seq between g.first_seq
        and case when g.last_seq >= g.first_seq then g.last_seq else g.first_seq + ${SEGMENT - 1} end)`);
  // The rewritten rows' words wait in the index's pending list, which every search would read
  // through until a vacuum: into the index with them now.
  await knex.raw(`select gin_clean_pending_list('search_segments_keys_index'::regclass)`);
  await knex.raw('analyze search_segments');
}

/** 0025's put, with the host's words at their offsets (`word:1,5`); words without offsets are built by the database. */
const putSegments = `create or replace function switchboard_put_search_segments(ids varchar[], firsts bigint[],
    oldest bigint[], newest bigint[], words text[], others varchar[], out put bigint, out built bigint)
  language plpgsql volatile set search_path from current set lock_timeout = '200ms' as $$
  declare
    missed varchar[];
  begin
    with given as (
      select * from unnest(ids, firsts, oldest, newest, words) as g(id, first_seq, oldest_at, newest_at, words)
    ), inserted as (
      insert into search_segments (conversation_id, first_seq, last_seq, oldest_at, newest_at, keys)
      select g.id, g.first_seq, g.first_seq + ${SEGMENT - 1}, g.oldest_at, g.newest_at,
        coalesce((k.key || replace(nullif(g.words, ''), ' ', ' ' || k.key))::tsvector, ''::tsvector)
      from given g cross join lateral (select switchboard_search_key(g.id) as key) k
      where (g.words = '' or strpos(g.words, ':') > 0)
        and (g.first_seq = 1 or exists (select from search_segments p where p.conversation_id = g.id
          and p.first_seq = g.first_seq - ${SEGMENT} and p.last_seq = g.first_seq - 1))
      on conflict do nothing
      returning conversation_id, first_seq)
    select (select count(*) from inserted), coalesce(array_agg(g.id) filter (where not exists (
        select from inserted i where i.conversation_id = g.id and i.first_seq = g.first_seq)), '{}')
      into put, missed from given g;
    built := 0;
    if cardinality(others) + cardinality(missed) > 0 then
      built := switchboard_build_search_segments(others || missed, false);
    end if;
  end $$`;

/** Older code reads positioned keys as plain ones and calls these functions by the same signatures. */
export async function down(_knex: Knex): Promise<void> {}
