import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { Attachment } from '../../sdk/protocol/message.js';
import { toWireAttachment, type AttachmentRow } from './attachment-row.js';

/** What a send that forwards carries to the writer (found by host/messages/forward-source.ts). */
export interface ForwardCopy {
  /** The message forwarded (the one named, which may itself be a forward). */
  sourceId: string;
  /** When the first message of the chain was sent (epoch ms): the marker's `at`. */
  at: number;
  /** The source's attachments, in its order. */
  attachmentIds: readonly string[];
}

/** The batch's sources as its transaction reads them. */
export interface ForwardSources {
  /** Sources that exist and are not deleted. */
  live: ReadonlySet<string>;
  /** Their attachments whose bytes are still stored, by id. */
  rows: ReadonlyMap<string, AttachmentRow>;
}

const CHUNK = 300;

/**
 * Reads the sources of a batch's forwards again inside the writer's transaction (the service read
 * them before; one may have been deleted since), with their attachments. A forward refers to the
 * same blobs as the original, so it touches them first, as an upload does (BlobRegistry.touch): a
 * sweep deleting one holds its row lock until its bytes are gone, so this waits for it and then
 * finds the row gone; a sweep that comes after sees a fresh blob, and then this forward's rows.
 */
export async function forwardSourcesOf(
  trx: Knex.Transaction,
  sends: readonly { forward?: ForwardCopy | null }[],
  now: number,
): Promise<ForwardSources | null> {
  const forwards = sends.flatMap((s) => (s.forward ? [s.forward] : []));
  if (forwards.length === 0) return null;
  const sourceIds = [...new Set(forwards.map((f) => f.sourceId))];
  const live = new Set<string>();
  for (let i = 0; i < sourceIds.length; i += CHUNK) {
    const part = await trx('messages')
      .whereIn('id', sourceIds.slice(i, i + CHUNK))
      .whereNull('deleted_at')
      .select<{ id: string }[]>('id');
    for (const r of part) live.add(r.id);
  }
  const ids = [...new Set(forwards.flatMap((f) => f.attachmentIds))];
  const found: AttachmentRow[] = [];
  for (let i = 0; i < ids.length; i += CHUNK)
    found.push(
      ...(await trx<AttachmentRow>('attachments')
        .whereIn('id', ids.slice(i, i + CHUNK))
        .whereIn('message_id', sourceIds)),
    );
  const hashes = [...new Set(found.flatMap((r) => (r.thumb_hash ? [r.blob_hash, r.thumb_hash] : [r.blob_hash])))];
  const present = new Set<string>();
  for (let i = 0; i < hashes.length; i += CHUNK) {
    const part = hashes.slice(i, i + CHUNK);
    await trx('blobs').whereIn('hash', part).update({ touched_at: now });
    for (const r of await trx('blobs').whereIn('hash', part).select<{ hash: string }[]>('hash')) present.add(r.hash);
  }
  const rows = new Map<string, AttachmentRow>();
  for (const r of found)
    if (present.has(r.blob_hash) && (r.thumb_hash === null || present.has(r.thumb_hash))) rows.set(r.id, r);
  return { live, rows };
}

/**
 * The new attachment rows of one forward: the forwarder's, in the target conversation, linked to
 * the new message, naming the original's blobs (no bytes are copied). Or `message_deleted` when the
 * source, or any of its files, is gone.
 */
export function copyForwarded(
  send: { senderId: string; conversationId: string; forward: ForwardCopy },
  sources: ForwardSources,
  messageId: string,
  now: number,
): { ok: true; attachments: Attachment[]; rows: AttachmentRow[] } | { ok: false; error: SwitchboardError } {
  const deleted = () => ({
    ok: false as const,
    error: new SwitchboardError('message_deleted', 'The message to forward was deleted.'),
  });
  if (!sources.live.has(send.forward.sourceId)) return deleted();
  const rows: AttachmentRow[] = [];
  for (const id of send.forward.attachmentIds) {
    const row = sources.rows.get(id);
    if (!row) return deleted();
    rows.push({
      ...row,
      id: randomUUID(),
      owner_id: send.senderId,
      conversation_id: send.conversationId,
      message_id: messageId,
      created_at: now,
    });
  }
  return { ok: true, attachments: rows.map(toWireAttachment), rows };
}

/** Stores the forwards' new attachment rows (after their messages). */
export async function insertForwardedAttachments(trx: Knex.Transaction, rows: readonly AttachmentRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) await trx('attachments').insert(rows.slice(i, i + CHUNK));
}
