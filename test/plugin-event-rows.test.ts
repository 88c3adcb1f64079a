/**
 * A commit's plugin events are stored as one outbox row (host/plugins/plugin-event-rows.ts),
 * written two ways: by the host (`storedEvents`) in the writer's transaction, and by the database
 * (`HEARD_STORED_EVENTS_SQL`) in the writer's one-statement commit. A host taking a row over
 * reads either kind the same way, so the two writers must write the same thing.
 */
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEARD_STORED_EVENTS_SQL, storedEvents } from '../host/plugins/plugin-event-rows.js';
import type { Message } from '../sdk/protocol/message.js';
import { createTestDatabase, openDirect, testDatabaseKind, type TestDatabase } from './support/test-database.js';

interface Heard {
  eventId: string;
  conversationId: string;
  messageId: string;
  pluginIds: string[];
}

const HEARD: Heard[] = [
  { eventId: 'e-1', conversationId: 'c-1', messageId: 'm-1', pluginIds: ['business'] },
  { eventId: 'e-2', conversationId: 'c-2', messageId: 'm-2', pluginIds: ['business', 'echo-bot'] },
  // Quotes and non-ASCII ids survive both JSON writers alike.
  { eventId: 'e-"3"', conversationId: 'c-ü', messageId: 'm-3', pluginIds: ['poll'] },
];

/** The database's writer, over the relation the one-statement commit defines (`ords`: each row's place in the commit). */
async function writtenByDatabase(db: Knex, heard: readonly Heard[], ords = heard.map((_, i) => i)): Promise<string> {
  const pluginIds = (ids: string[]) => (testDatabaseKind === 'postgres' ? ids : JSON.stringify(ids));
  const rows = heard.map(() => (testDatabaseKind === 'postgres' ? '(?, ?, ?, ?::text[], ?::int)' : '(?, ?, ?, ?, ?)'));
  const values = heard.flatMap((h, i) => [h.eventId, h.conversationId, h.messageId, pluginIds(h.pluginIds), ords[i]!]);
  // SQLite names a VALUES list's columns column1…; a CTE gives both databases the same names.
  const sql = `with heard(event_id, conversation_id, message_id, plugin_ids, ord) as (values ${rows.join(', ')})
    select ${HEARD_STORED_EVENTS_SQL[testDatabaseKind]} as events from heard`;
  const result: unknown = await db.raw(sql, values);
  const row =
    testDatabaseKind === 'postgres'
      ? (result as { rows: { events: string }[] }).rows[0]
      : (result as { events: string }[])[0];
  return row!.events;
}

/** The host's writer, for the same new messages. */
function writtenByHost(heard: readonly Heard[]): string {
  return storedEvents(
    heard.map((h) => ({
      eventId: h.eventId,
      conversationId: h.conversationId,
      name: 'message.created' as const,
      payload: { message: { id: h.messageId } as Message },
      pluginIds: h.pluginIds,
    })),
  );
}

describe('the outbox rows of new messages', () => {
  let database: TestDatabase;
  let db: Knex;
  beforeAll(async () => {
    database = await createTestDatabase();
    db = openDirect(database);
  });
  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  it('are the same whether the host or the database writes them', async () => {
    const byDatabase = JSON.parse(await writtenByDatabase(db, HEARD)) as unknown;
    expect(byDatabase).toEqual(JSON.parse(writtenByHost(HEARD)));
    // Each event in the commit's order, with every field a taker reads.
    expect(byDatabase).toEqual([
      { id: 'e-1', c: 'c-1', n: 'message.created', m: 'm-1', ch: 'created', to: ['business'] },
      { id: 'e-2', c: 'c-2', n: 'message.created', m: 'm-2', ch: 'created', to: ['business', 'echo-bot'] },
      { id: 'e-"3"', c: 'c-ü', n: 'message.created', m: 'm-3', ch: 'created', to: ['poll'] },
    ]);
  });

  it("list the events in the commit's order, whatever order the database reads them in", async () => {
    const byDatabase = JSON.parse(await writtenByDatabase(db, HEARD, [2, 0, 1])) as { id: string }[];
    expect(byDatabase.map((e) => e.id)).toEqual(['e-2', 'e-"3"', 'e-1']);
  });
});
