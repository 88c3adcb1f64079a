import type { Knex } from 'knex';

/**
 * PostgreSQL: the search index is kept apart from the send. It indexes segments, not messages:
 * each run of SEGMENT messages of a conversation (by seq) is one row of `search_segments`, with
 * the keyed words (0018) of the messages it covers (first_seq to last_seq). A send writes nothing
 * for it: the host covers a conversation's messages behind the writer
 * (`switchboard_build_search_segments`, search/search-segment-builder.ts) once its newest segment
 * is full or the conversation is quiet for a moment. A search reads the segments the words name,
 * testing each of their messages, and the few messages past the cover one by one
 * (search/postgres-matches.ts).
 *
 * Why: the GIN index on `messages` had to take a dozen keyed words into its lists at every send,
 * 25–30 µs of the database's CPU for each message, a third of what a send costs on two busy cores.
 * A segment's words repeat (a conversation's vocabulary is small), so a segment of 64 messages
 * adds a few dozen entries where its messages added hundreds, and is built in one statement
 * with many others: about 6 µs of the database's CPU a message (README, issue 16). Drops 0018's
 * index and 0020's time index (the segments' times order a search now), so a send also updates
 * two fewer indexes.
 *
 * An edit or a delete of a covered message recomputes its segment's words in its own transaction
 * (the trigger below), so an edit is found at once by its new words, and the index keeps no
 * deleted text's words; a search tests each message as it is now in any case. A segment whose
 * texts exceed MAX_SEGMENT_TEXT keeps no words (`keys` null: read by every search of its
 * conversation), so no tsvector can outgrow PostgreSQL's 1 MB. Built here for the stored
 * messages (about 25 s a million on two cores).
 */
export const name = '0021-search-segments';

/** Messages in a segment. Changing it needs a new migration that rebuilds every segment. */
export const SEGMENT = 64;
/** Bytes of text past which a segment keeps no words (its keys at most ~4 bytes each: < 1 MB). */
export const MAX_SEGMENT_TEXT = 131_072;

const isPostgres = (knex: Knex) => (knex.client as Knex.Client).config.client === 'pg';

/** The first seq of the segment of seq `seq`. */
const segmentStart = (seq: string) => `((${seq} - 1) / ${SEGMENT} * ${SEGMENT} + 1)`;

/** `a || b` for two segments' keys: null (read always) if either is, or if they would grow too large. */
const mergedKeys = (a: string, b: string) =>
  `case when ${a} is null or ${b} is null or pg_column_size(${a}) + pg_column_size(${b}) > ${MAX_SEGMENT_TEXT * 4}
     then null else ${a} || ${b} end`;

/** The keys of a segment, as an aggregate over its messages `m` (switchboard_segment_keys below). */
const segmentKeys = `switchboard_segment_keys(min(m.conversation_id),
  string_agg(m.content, ' ') filter (where m.content_type = 'text'),
  coalesce(sum(octet_length(m.content)) filter (where m.content_type = 'text'), 0))`;

export async function up(knex: Knex): Promise<void> {
  if (!isPostgres(knex)) return;
  // A segment's keys hold the words of its messages first_seq to last_seq (its cover: empty while
  // last_seq < first_seq, a row the edit trigger made); it is complete at last_seq = first_seq + SEGMENT - 1.
  await knex.raw(`create table search_segments (
    conversation_id varchar(36) not null,
    first_seq bigint not null,
    last_seq bigint not null,
    oldest_at bigint not null,
    newest_at bigint not null,
    keys tsvector,
    primary key (conversation_id, first_seq))`);
  await knex.raw(`create index search_segments_keys_index on search_segments using gin (keys)`);
  // A segment's keyed words from its texts joined (bytes long). The distinct space-separated
  // pieces are cut into words, not the whole text: a word never spans a space, so the words are the
  // same, and a conversation's pieces repeat, so PostgreSQL's parser (about 130 ns a byte) reads
  // much less. array_to_tsvector sorts and dedupes them in C; a piece over 2 kB (no space in it)
  // is more than a lexeme may hold, and those texts dedupe in SQL instead. Null past MAX_SEGMENT_TEXT.
  await knex.raw(`create function switchboard_segment_keys(conversation_id text, texts text, bytes bigint)
    returns tsvector language plpgsql immutable parallel safe as $$
    declare
      pieces text;
    begin
      if bytes > ${MAX_SEGMENT_TEXT} then
        return null;
      end if;
      begin
        pieces := array_to_string(tsvector_to_array(array_to_tsvector(array_remove(string_to_array(texts, ' '), ''))), ' ');
      exception when program_limit_exceeded then
        pieces := array_to_string(array(select p from unnest(string_to_array(texts, ' ')) as p group by p), ' ');
      end;
      return coalesce(switchboard_search_keys(conversation_id, pieces), ''::tsvector);
    end $$`);
  // Covers the messages past each named conversation's cover (all conversations: null): up to its
  // last full segment, or (partial) to its newest message. A segment it extends gets those
  // messages' words joined to its keys; a cover only grows, so what the row holds and what this
  // adds meet. Idempotent, and safe on several hosts at once. A row an edit holds is not waited
  // for long: the build fails and the next one covers it.
  await knex.raw(`create function switchboard_build_search_segments(ids varchar[], partial boolean) returns bigint
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
  // An edit or a delete: the segment's row is made if missing (covering nothing) and locked, so a
  // build in progress is waited for and one that starts later joins its keys to these. A message
  // it covers has the segment's words cut again from its messages as they are now: the index
  // keeps no deleted text's words. One it does not cover adds its new words, which a build that
  // read the old text would otherwise miss.
  await knex.raw(`create function switchboard_search_segment_edit() returns trigger
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
        update search_segments g set keys = ${mergedKeys('g.keys', 'switchboard_segment_keys(new.conversation_id, new.content, octet_length(new.content))')}
          where g.conversation_id = new.conversation_id and g.first_seq = seg_start;
      end if;
      return null;
    end $$`);
  await knex.raw(`create trigger messages_search_segment_edit after update of content, content_type on messages
    for each row when (old.content is distinct from new.content or old.content_type is distinct from new.content_type)
    execute function switchboard_search_segment_edit()`);
  await knex.raw('select switchboard_build_search_segments(null, true)');
  await knex.raw('drop index messages_search_keys_index');
  await knex.raw('drop index messages_text_time_index');
  await knex.raw('analyze search_segments');
}

export async function down(knex: Knex): Promise<void> {
  if (!isPostgres(knex)) return;
  await knex.raw(
    `create index messages_text_time_index on messages (conversation_id, created_at, seq) where content_type = 'text'`,
  );
  await knex.raw(`create index messages_search_keys_index on messages
    using gin (switchboard_search_keys(conversation_id, content)) with (gin_pending_list_limit = 128)
    where content_type = 'text'`);
  await knex.raw('drop trigger messages_search_segment_edit on messages');
  await knex.raw('drop function switchboard_search_segment_edit()');
  await knex.raw('drop function switchboard_build_search_segments(varchar[], boolean)');
  await knex.raw('drop function switchboard_segment_keys(text, text, bigint)');
  await knex.raw('drop table search_segments');
}
