import type { Knex } from 'knex';
import { SEGMENT } from './0021-search-segments.js';

/**
 * PostgreSQL: a segment (0021) can be put with the words the host cut as its messages committed
 * (search/segment-words.ts), instead of read back and cut by the database: on an idle machine
 * 4 µs of the database's time a message instead of 13 (the rest is the GIN index's insert), for
 * about 2 µs of the host's as each message commits (README, issue 16).
 *
 * A segment is put only where it cannot differ from what 0021's build makes of the messages as
 * they are now, and is left to that build otherwise, in the same call:
 *   - it follows its conversation's cover (its first segment, or the one before it is full), so
 *     the cover stays one run from seq 1;
 *   - no row holds it yet: an edit or a delete of one of its messages makes one first (0021's
 *     trigger, which also waits for a put in progress and then cuts the segment again), as does
 *     a quiet conversation's partial build.
 * Returns the segments put, and those built from the messages.
 */
export const name = '0025-search-segments-from-host';

const isPostgres = (knex: Knex) => (knex.client as Knex.Client).config.client === 'pg';

export async function up(knex: Knex): Promise<void> {
  if (!isPostgres(knex)) return;
  await knex.raw(`create function switchboard_put_search_segments(ids varchar[], firsts bigint[], oldest bigint[],
      newest bigint[], words text[], others varchar[], out put bigint, out built bigint)
    language plpgsql volatile set search_path from current set lock_timeout = '200ms' as $$
    declare
      missed varchar[];
    begin
      with given as (
        select * from unnest(ids, firsts, oldest, newest, words) as g(id, first_seq, oldest_at, newest_at, words)
      ), inserted as (
        insert into search_segments (conversation_id, first_seq, last_seq, oldest_at, newest_at, keys)
        select g.id, g.first_seq, g.first_seq + ${SEGMENT - 1}, g.oldest_at, g.newest_at,
          coalesce(array_to_tsvector(string_to_array(k.key || replace(nullif(g.words, ''), ' ', ' ' || k.key), ' ')), ''::tsvector)
        from given g cross join lateral (select switchboard_search_key(g.id) as key) k
        where g.first_seq = 1 or exists (select from search_segments p where p.conversation_id = g.id
          and p.first_seq = g.first_seq - ${SEGMENT} and p.last_seq = g.first_seq - 1)
        on conflict do nothing
        returning conversation_id, first_seq)
      select (select count(*) from inserted), coalesce(array_agg(g.id) filter (where not exists (
          select from inserted i where i.conversation_id = g.id and i.first_seq = g.first_seq)), '{}')
        into put, missed from given g;
      built := 0;
      if cardinality(others) + cardinality(missed) > 0 then
        built := switchboard_build_search_segments(others || missed, false);
      end if;
    end $$`);
}

export async function down(knex: Knex): Promise<void> {
  if (!isPostgres(knex)) return;
  await knex.raw(
    'drop function switchboard_put_search_segments(varchar[], bigint[], bigint[], bigint[], text[], varchar[])',
  );
}
