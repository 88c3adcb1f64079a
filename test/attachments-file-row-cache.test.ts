/**
 * The attachment rows held for file URLs (host/attachments/file-row-cache.ts), on the host's own
 * event bus: a sent attachment's row is read once and reused, a message's deletion drops its rows,
 * unsent uploads are never held, and a read that was under way when a deletion was heard is not
 * kept (it may have read the row just before the deletion committed).
 */
import 'reflect-metadata';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { InProcessEventBus } from '../host/bus/in-process-event-bus.js';
import type { HostEvent } from '../host/bus/event-bus.js';
import type { AttachmentRow } from '../host/attachments/attachment-row.js';
import { FileRowCache } from '../host/attachments/file-row-cache.js';

const rowOf = (id: string, messageId: string | null): AttachmentRow => ({
  id,
  owner_id: 'u1',
  conversation_id: messageId && 'c1',
  message_id: messageId,
  name: `${id}.bin`,
  mime_type: 'application/octet-stream',
  size: 10,
  width: null,
  height: null,
  blob_hash: `hash-${id}`,
  thumb_hash: null,
  thumb_mime_type: null,
  created_at: 0,
});

const deletion = (messageId: string) =>
  ({
    type: 'message.changed',
    conversationId: 'c1',
    pts: 2,
    change: 'deleted',
    message: { id: messageId },
  }) as unknown as HostEvent;

/** A cache on a real in-process bus, and a reader that counts the reads it is asked for. */
function setup() {
  const bus = new InProcessEventBus(pino({ level: 'silent' }));
  const cache = new FileRowCache(bus);
  const reads: string[] = [];
  const read = (row: AttachmentRow | undefined) => () => {
    reads.push(row?.id ?? 'none');
    return Promise.resolve(row);
  };
  return { bus, cache, reads, read };
}

describe('file row cache', () => {
  it('reads a sent attachment’s row once, and again after its message is deleted', async () => {
    const { bus, cache, reads, read } = setup();
    const a = rowOf('a', 'm1');
    const b = rowOf('b', 'm2');
    expect(await cache.get('a', read(a))).toBe(a);
    expect(await cache.get('a', read(a))).toBe(a);
    expect(await cache.get('b', read(b))).toBe(b);
    expect(reads).toEqual(['a', 'b']);

    bus.publish(deletion('m1'));
    expect(await cache.get('a', read(undefined))).toBeUndefined();
    expect(await cache.get('b', read(b))).toBe(b);
    expect(reads).toEqual(['a', 'b', 'none']);
  });

  it('never holds an unsent upload’s row, nor a missing one', async () => {
    const { cache, reads, read } = setup();
    const unsent = rowOf('u', null);
    await cache.get('u', read(unsent));
    await cache.get('u', read(unsent));
    await cache.get('x', read(undefined));
    await cache.get('x', read(undefined));
    expect(reads).toEqual(['u', 'u', 'none', 'none']);
  });

  it('does not keep a row read while a deletion was heard', async () => {
    const { bus, cache, reads } = setup();
    const a = rowOf('a', 'm1');
    let answer!: (row: AttachmentRow) => void;
    const pending = cache.get('a', () => {
      reads.push('slow');
      return new Promise<AttachmentRow>((resolve) => (answer = resolve));
    });
    bus.publish(deletion('m1'));
    answer(a);
    expect(await pending).toBe(a);
    expect(await cache.get('a', () => (reads.push('again'), Promise.resolve(undefined)))).toBeUndefined();
    expect(reads).toEqual(['slow', 'again']);
  });
});
