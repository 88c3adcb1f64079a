import type { AttachmentView } from '../protocol/attachments.js';
import type { LinkPreview } from '../protocol/link-preview.js';
import type { Report, ReportRequest } from '../protocol/reports.js';
import type { SearchOptions, SearchResult } from '../protocol/search.js';
import type {
  FollowedThreadsResult,
  ThreadPageResult,
  ThreadReadResult,
  UnreadThreadsResult,
} from '../protocol/threads.js';

/**
 * Bytes a request may carry as its body: a browser's File or Blob, or bytes in memory (any
 * Uint8Array, Node's Buffer, another typed array or a DataView: fetchBody hands fetch what it takes).
 */
export type BinaryBody = Blob | ArrayBuffer | ArrayBufferView;

/**
 * The body as fetch takes it. TypeScript (5.7 on) types a plain `Uint8Array` as possibly over a
 * SharedArrayBuffer, which fetch refuses: a view over an ArrayBuffer is passed as is, any other copied.
 */
export function fetchBody(bytes: BinaryBody): Blob | ArrayBuffer | Uint8Array<ArrayBuffer> {
  if (!ArrayBuffer.isView(bytes)) return bytes;
  if (bytes.buffer instanceof ArrayBuffer) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return new Uint8Array(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

/**
 * The calls about what conversations hold: threads (pages, following, read positions), full-text
 * search, attachments, previews of the pages messages link to, and reports of abuse to the
 * operator. HttpApi makes the requests; its public API is these and its own.
 */
export abstract class ContentCalls {
  /** Any route; a 204 resolves undefined (HttpApi sends it). */
  abstract request<T>(method: string, path: string, body?: unknown): Promise<T>;
  /** A route whose body is raw bytes, sent with their Content-Type (HttpApi sends it). */
  abstract requestBytes<T>(method: string, path: string, bytes: BinaryBody, type?: string): Promise<T>;

  /**
   * Full-text search over the caller's conversations, newest first (docs/protocol.md "Search"):
   * pass `nextCursor` back as `cursor` for older results.
   */
  search(query: string, options: SearchOptions = {}): Promise<SearchResult> {
    return this.request('GET', `/v1/search${queryOf({ q: query, ...options })}`);
  }

  /**
   * A preview card of the web page at `url` (an absolute http(s) URL), fetched and kept by the host
   * (docs/protocol.md "Link previews"). `link_preview_unavailable` when the page gives none,
   * `link_previews_disabled` when the host does not offer them (its `ready` frame says so first).
   */
  linkPreview(url: string): Promise<LinkPreview> {
    return this.request('GET', `/v1/link-preview${queryOf({ url })}`);
  }

  /** A page of a thread's replies, by seq like history (resume a thread with `after`). */
  threadMessages(
    id: string,
    rootId: string,
    opts: { before?: number; after?: number; limit?: number } = {},
  ): Promise<ThreadPageResult> {
    return this.request('GET', `${threadPath(id, rootId)}/messages${queryOf(opts)}`);
  }

  followThread(id: string, rootId: string): Promise<void> {
    return this.request('PUT', `${threadPath(id, rootId)}/follow`);
  }

  unfollowThread(id: string, rootId: string): Promise<void> {
    return this.request('DELETE', `${threadPath(id, rootId)}/follow`);
  }

  /** The threads I follow, most recently followed first; pass `nextCursor` back as `cursor`. */
  followedThreads(opts: { limit?: number; cursor?: string } = {}): Promise<FollowedThreadsResult> {
    return this.request('GET', `/v1/threads${queryOf(opts)}`);
  }

  /**
   * The threads I follow that have unread replies, each with my position and its count: a
   * snapshot for a badge, kept live by the `threadUnread` and `threadRead` events.
   */
  unreadThreads(): Promise<UnreadThreadsResult> {
    return this.request('GET', '/v1/threads/unread');
  }

  /**
   * Moves my read position in a thread I follow up to `seq` (a reply's seq; never back, never past
   * its newest reply) and answers where it is now and what is still unread there. My other devices
   * get a `thread.read` frame (the client's `threadRead` event). `thread_not_followed` unless I follow it.
   */
  markThreadRead(id: string, rootId: string, seq: number): Promise<ThreadReadResult> {
    return this.request('POST', `${threadPath(id, rootId)}/read`, { seq });
  }

  /**
   * Uploads a file to send with a message (`attachmentIds`). The host takes its type from the
   * content; `type` (by default a Blob's own) is only checked against it. The answer's `url` and
   * `thumbnailUrl` are relative: `fileUrl` makes them absolute.
   */
  uploadAttachment(file: BinaryBody, name: string, type?: string): Promise<AttachmentView> {
    const declared = type ?? (file instanceof Blob && file.type ? file.type : undefined);
    return this.requestBytes('POST', `/v1/attachments?name=${encodeURIComponent(name)}`, file, declared);
  }

  /** An attachment the caller may see, with fresh file URLs (they last `attachments.urlTtlSeconds`). */
  attachment(id: string): Promise<AttachmentView> {
    return this.request('GET', `/v1/attachments/${encodeURIComponent(id)}`);
  }

  /**
   * Reports a message (`conversationId` and `messageId`) or a person (`userId`) to the host's
   * operator, with a reason and an optional note (docs/protocol.md "Reporting abuse"). The same
   * report again, while the operator has not resolved it, answers the report there is.
   */
  report(request: ReportRequest): Promise<Report> {
    return this.request('POST', '/v1/reports', request);
  }
}

export function conversationPath(id: string): string {
  return `/v1/conversations/${encodeURIComponent(id)}`;
}

function threadPath(id: string, rootId: string): string {
  return `${conversationPath(id)}/threads/${encodeURIComponent(rootId)}`;
}

/** `?a=1&b=2` of the options that are set, or ''. */
export function queryOf(opts: Record<string, string | number | boolean | undefined>): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(opts)) if (value !== undefined) query.set(name, String(value));
  return query.size > 0 ? `?${query.toString()}` : '';
}
