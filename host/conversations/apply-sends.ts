import type { Knex } from 'knex';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { Message } from '../../sdk/protocol/message.js';
import { newMessageId, toWireMessage, type MessageRow, type ReactionRow } from './message-row.js';
import { resolveMentions, storedEntities } from '../mentions/mention-resolver.js';
import { followOnReply, threadRootProblem, threadRootsOf } from '../threads/thread-replies.js';
import { attachmentsOfBatch, claimAttachments, linkAttachments } from '../attachments/send-attachments.js';
import { findExisting } from './existing-sends.js';
import { explainBlocked } from './blocked-sends.js';
import { storedAttachments, type AttachmentRow } from '../attachments/attachment-row.js';
import {
  copyForwarded,
  forwardSourcesOf,
  insertForwardedAttachments,
  type ForwardCopy,
} from '../attachments/forward-attachments.js';

export interface NewMessage {
  conversationId: string;
  senderId: string;
  clientMsgId: string;
  contentType: string;
  content: string;
  replyToId: string | null;
  /** The root message when this is a reply in a thread. */
  threadRootId: string | null;
  /** Uploads sent with the message, in order ([] for none). */
  attachmentIds: readonly string[];
  /** Identifies the request as sent, so a resend matches even if a hook changed the content. */
  requestHash: string;
  /** A forward: the message it copies (its content is already in `content`); absent or null otherwise. */
  forward?: ForwardCopy | null;
}

export interface SendOutcome {
  message: Message;
  duplicate: boolean;
}

export type SendResult = { ok: true; outcome: SendOutcome } | { ok: false; error: SwitchboardError };

interface SendBatchContext {
  now: number;
  isPostgres: boolean;
  /** The host's rule for @all from plain members of a group (config mentions.allowAllForMembers). */
  allowAllForMembers: boolean;
  hasConversation(conversationId: string): boolean;
  /** Whether the sender is a member (read with the conversation's lock). */
  isMember(conversationId: string, senderId: string): boolean;
  /** Whether a block closes the conversation (conversations.blocked, read with its lock). */
  isBlocked(conversationId: string): boolean;
  nextNumbers(conversationId: string): { seq: number; pts: number };
  /** Inserts the new messages (after every nextNumbers call of the batch). */
  insertRows(rows: readonly MessageRow[]): Promise<void>;
  /**
   * Look up stored messages with the batch's clientMsgIds first. Without it a resend of a stored
   * message is left to the unique index, whose violation fails the batch; the caller then runs
   * it again with the check.
   */
  checkExisting: boolean;
}

/**
 * Thrown when a batch run without the duplicate check would refuse a send: the send may be a
 * resend of a stored message, which must be answered as a duplicate, not refused (its uploads,
 * say, are claimed by the original). The caller runs the batch again with the check.
 */
export class DuplicateCheckNeeded extends Error {
  constructor() {
    super('a send was refused in a batch run without the duplicate check');
  }
}

/** The stored row of a send, numbered; `entities` and `attachments` as stored (null for none). */
export function sendRow(
  s: NewMessage,
  id: string,
  seq: number,
  pts: number,
  now: number,
  stored: { entities: string | null; attachments: string | null },
): MessageRow {
  return {
    id,
    conversation_id: s.conversationId,
    seq,
    created_pts: pts,
    pts,
    sender_id: s.senderId,
    client_msg_id: s.clientMsgId,
    content_type: s.contentType,
    content: s.content,
    reply_to_id: s.replyToId,
    created_at: now,
    edited_at: null,
    deleted_at: null,
    request_hash: s.requestHash,
    entities: stored.entities,
    thread_root_id: s.threadRootId,
    attachments: stored.attachments,
  };
}

const keyOf = (conversationId: string, senderId: string, clientMsgId: string) =>
  `${conversationId}\u0000${senderId}\u0000${clientMsgId}`;

/**
 * Writes a batch of sends with a handful of set-based queries: existing clientMsgIds (when
 * asked), reply targets, then one multi-row insert. Returns one result per input, in order.
 */
export async function applySends(
  trx: Knex.Transaction,
  sends: NewMessage[],
  ctx: SendBatchContext,
): Promise<SendResult[]> {
  // A send a block stops may be the resend of one stored before the block: it is looked up even
  // without the check, so that it is answered as a duplicate, and the batch needs no second run.
  const lookUp = ctx.checkExisting ? sends : sends.filter((s) => ctx.isBlocked(s.conversationId));
  const existingRows = lookUp.length > 0 ? await findExisting(trx, lookUp, ctx.isPostgres) : [];
  const existing = new Map(existingRows.map((r) => [keyOf(r.conversation_id, r.sender_id, r.client_msg_id!), r]));

  const replyIds = [...new Set(sends.map((s) => s.replyToId).filter((id): id is string => id !== null))];
  const replyTargets = new Map<string, string>();
  if (replyIds.length > 0) {
    const rows = await trx('messages')
      .whereIn('id', replyIds)
      .select<{ id: string; conversation_id: string }[]>('id', 'conversation_id');
    for (const r of rows) replyTargets.set(r.id, r.conversation_id);
  }
  const threadRoots = await threadRootsOf(
    trx,
    sends.map((s) => s.threadRootId),
  );
  const forwards = await forwardSourcesOf(trx, sends, ctx.now);
  const mentions = await resolveMentions(
    trx,
    forwards ? sends.map((s) => (s.forward ? { ...s, mentionsNone: true } : s)) : sends,
    ctx.allowAllForMembers,
  );
  const replies: Parameters<typeof followOnReply>[1][number][] = [];
  const uploads = await attachmentsOfBatch(trx, sends, ctx.isPostgres);
  const takenUploads = new Set<string>();
  const links: Parameters<typeof linkAttachments>[1][number][] = [];
  const forwardedRows: AttachmentRow[] = [];

  const results: SendResult[] = [];
  const inserted = new Map<string, MessageRow>();
  const rows: MessageRow[] = [];
  const duplicatesOfExisting: { index: number; row: MessageRow }[] = [];
  const blockedAt: number[] = [];

  for (const s of sends) {
    if (!ctx.hasConversation(s.conversationId) || !ctx.isMember(s.conversationId, s.senderId)) {
      results.push({ ok: false, error: new SwitchboardError('conversation_not_found') });
      continue;
    }
    const key = keyOf(s.conversationId, s.senderId, s.clientMsgId);
    const prior = existing.get(key) ?? inserted.get(key);
    if (prior) {
      if (!sameRequest(prior, s)) {
        results.push({ ok: false, error: new SwitchboardError('client_msg_id_conflict') });
      } else if (existing.has(key)) {
        duplicatesOfExisting.push({ index: results.length, row: prior });
        results.push({ ok: true, outcome: { message: toWireMessage(prior), duplicate: true } });
      } else {
        results.push({ ok: true, outcome: { message: toWireMessage(prior), duplicate: true } });
      }
      continue;
    }
    if (ctx.isBlocked(s.conversationId)) {
      blockedAt.push(results.length);
      results.push({ ok: false, error: new SwitchboardError('blocked') });
      continue;
    }
    if (s.replyToId !== null && replyTargets.get(s.replyToId) !== s.conversationId) {
      results.push({
        ok: false,
        error: new SwitchboardError('message_not_found', 'replyToId does not name a message in this conversation.'),
      });
      continue;
    }
    const threadProblem =
      s.threadRootId === null ? null : threadRootProblem(threadRoots.get(s.threadRootId), s.conversationId);
    if (threadProblem) {
      results.push({ ok: false, error: threadProblem });
      continue;
    }
    const mentioned = mentions[results.length]!;
    if (!mentioned.ok) {
      results.push({ ok: false, error: mentioned.error });
      continue;
    }
    const attached = claimAttachments(s, uploads, takenUploads);
    if (!attached.ok) {
      results.push({ ok: false, error: attached.error });
      continue;
    }
    const id = newMessageId();
    const copied = s.forward && forwards ? copyForwarded({ ...s, forward: s.forward }, forwards, id, ctx.now) : null;
    if (copied && !copied.ok) {
      results.push({ ok: false, error: copied.error });
      continue;
    }
    const { seq, pts } = ctx.nextNumbers(s.conversationId);
    const row = sendRow(s, id, seq, pts, ctx.now, {
      entities: storedEntities(mentioned.entities),
      attachments: storedAttachments(copied ? copied.attachments : attached.attachments),
    });
    if (copied) {
      row.forwarded_at = s.forward!.at;
      forwardedRows.push(...copied.rows);
    }
    for (const a of attached.attachments)
      links.push({ attachmentId: a.id, messageId: row.id, conversationId: s.conversationId });
    if (s.threadRootId !== null) {
      const rootSenderId = threadRoots.get(s.threadRootId)!.sender_id;
      replies.push({
        conversationId: s.conversationId,
        rootId: s.threadRootId,
        rootSenderId,
        senderId: s.senderId,
        mentionedIds: mentioned.entities.flatMap((e) => (e.type === 'mention' ? [e.userId] : [])),
        seq,
      });
    }
    inserted.set(key, row);
    rows.push(row);
    results.push({ ok: true, outcome: { message: toWireMessage(row), duplicate: false } });
  }

  // Membership and blocks are decided before the check could matter (blocked sends were looked
  // up); any later refusal is not.
  if (!ctx.checkExisting && results.some((r) => !r.ok && !DECIDED_WITHOUT_CHECK.has(r.error.code)))
    throw new DuplicateCheckNeeded();
  if (blockedAt.length > 0) await explainBlocked(trx, sends, results, blockedAt);
  await ctx.insertRows(rows);
  await followOnReply(trx, replies, ctx.now);
  await linkAttachments(trx, links);
  await insertForwardedAttachments(trx, forwardedRows);

  if (duplicatesOfExisting.length > 0) {
    // A resend returns the message as it is now, reactions included.
    const reactionRows = (await trx('reactions')
      .whereIn(
        'message_id',
        duplicatesOfExisting.map((d) => d.row.id),
      )
      .orderBy('created_at')
      .select('*')) as ReactionRow[];
    for (const d of duplicatesOfExisting) {
      results[d.index] = {
        ok: true,
        outcome: {
          message: toWireMessage(
            d.row,
            reactionRows.filter((r) => r.message_id === d.row.id),
          ),
          duplicate: true,
        },
      };
    }
  }
  return results;
}

const DECIDED_WITHOUT_CHECK = new Set(['conversation_not_found', 'blocked']);

/** A resend must carry the same content and reply target as the original. */
function sameRequest(prior: MessageRow, s: NewMessage): boolean {
  if (prior.request_hash) return prior.request_hash === s.requestHash;
  if (prior.reply_to_id !== s.replyToId || (prior.thread_root_id ?? null) !== s.threadRootId) return false;
  // An edit or delete since the original changed what is stored; the type still has to match.
  if (prior.deleted_at !== null || prior.edited_at !== null) return prior.content_type === s.contentType;
  return prior.content_type === s.contentType && prior.content === s.content;
}
