/** What GET /v1/search answers (docs/protocol.md, "Search"). */
import type { Message } from './message.js';

/** A matched word in a snippet: offset and length count UTF-16 code units of `text`. */
export interface SearchHighlight {
  readonly offset: number;
  readonly length: number;
}

/**
 * Part of a message's text around what matched, as plain text: a client marks the highlights
 * itself (never as HTML, so a message cannot inject markup). `…` stands for text left out.
 */
export interface SearchSnippet {
  readonly text: string;
  readonly highlights: readonly SearchHighlight[];
}

export interface SearchHit {
  readonly message: Message;
  readonly snippet: SearchSnippet;
}

export interface SearchResult {
  /** Newest first. */
  readonly results: readonly SearchHit[];
  /** Give it as `cursor` for the next (older) page; null on the last page. */
  readonly nextCursor: string | null;
}

/** The filters of a search; every one is optional. */
export interface SearchOptions {
  /** Only this conversation (the caller must be a member). */
  readonly conversationId?: string;
  readonly senderId?: string;
  /** ISO 8601: messages sent at or after this time. */
  readonly since?: string;
  /** ISO 8601: messages sent before this time. */
  readonly until?: string;
  /** true: only messages with attachments; false: only those without. */
  readonly hasAttachment?: boolean;
  readonly cursor?: string;
  /** 1 to 50 (20). */
  readonly limit?: number;
}
