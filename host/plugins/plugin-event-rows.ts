import type { Knex } from 'knex';
import type { PluginEventName } from '../../sdk/plugin/plugin-context.js';
import type { Message } from '../../sdk/protocol/message.js';
import type { MessageChange } from '../bus/event-bus.js';
import type { MessageRow } from '../conversations/message-row.js';
import { messageChangeEvent } from '../messages/message-change.js';
import type { MessageStore } from '../messages/message-store.js';
import type { PluginEventDelivery } from './plugin-event-dispatcher.js';

/** One event as a commit's outbox row lists it (short keys: the list is written with every commit plugins hear of). */
interface StoredEvent {
  /** eventId */
  id: string;
  /** conversationId */
  c: string;
  /** event name */
  n: PluginEventName;
  /** message events: the message id and what changed (the message is in the database already) */
  m?: string;
  ch?: MessageChange;
  /** other events: their payload */
  p?: object;
  /** the plugins to hand it to */
  to: readonly string[];
}

/** A row as a host taking it over reads it back. */
export interface OutboxRow {
  seq: number | string;
  events: string;
}

/** What one commit's plugin events are stored as. */
export function storedEvents(events: readonly (PluginEventDelivery & { conversationId: string })[]): string {
  return JSON.stringify(
    events.map((e): StoredEvent => {
      const base = { id: e.eventId, c: e.conversationId, n: e.name, to: e.pluginIds };
      if (!('message' in e.payload)) return { ...base, p: e.payload };
      const message = (e.payload as { message: Message }).message;
      const change =
        e.name === 'message.created' ? 'created' : (e.payload as unknown as { change: MessageChange }).change;
      return { ...base, m: message.id, ch: change };
    }),
  );
}

/**
 * `storedEvents` of new messages, made by the database in the writer's one-statement commit (see
 * CommittedEventOutbox.statementRecording): an aggregate over the relation
 * `heard(event_id, conversation_id, message_id, plugin_ids, ord)`, in `ord` order (on SQLite,
 * `plugin_ids` is a JSON array's text).
 */
export const HEARD_STORED_EVENTS_SQL = {
  postgres: `json_agg(json_build_object('id', event_id, 'c', conversation_id,
    'n', 'message.created', 'm', message_id, 'ch', 'created', 'to', plugin_ids) order by ord)::text`,
  sqlite: `json_group_array(json_object('id', event_id, 'c', conversation_id,
    'n', 'message.created', 'm', message_id, 'ch', 'created', 'to', json(plugin_ids)) order by ord)`,
} as const;

/**
 * The events of rows read back, row by row in seq order. A message event carries the message as
 * it is now (as a resume shows it); one whose message is gone from the database is dropped.
 */
export async function eventsOfRows(
  knex: Knex,
  store: MessageStore,
  rows: readonly OutboxRow[],
): Promise<{ seq: number; events: PluginEventDelivery[] }[]> {
  const parsed = [...rows]
    .sort((a, b) => Number(a.seq) - Number(b.seq))
    .map((r) => ({ seq: Number(r.seq), stored: JSON.parse(r.events) as StoredEvent[] }));
  const ids = parsed.flatMap((r) => r.stored.flatMap((e) => (e.m === undefined ? [] : [e.m])));
  const messages = new Map<string, Message>();
  for (let i = 0; i < ids.length; i += 500) {
    const found = await knex<MessageRow>('messages').whereIn('id', ids.slice(i, i + 500));
    const wire = await store.withReactions(knex, found);
    found.forEach((row, j) => messages.set(row.id, wire[j]!));
  }
  return parsed.map(({ seq, stored }) => ({
    seq,
    events: stored.flatMap((e): PluginEventDelivery[] => {
      const common = { eventId: e.id, pluginIds: e.to };
      if (e.m === undefined) return [{ ...common, name: e.n, payload: e.p ?? {} }];
      const message = messages.get(e.m);
      return message ? [{ ...common, ...messageChangeEvent(e.c, e.ch ?? 'created', message) }] : [];
    }),
  }));
}
