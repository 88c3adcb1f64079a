/**
 * What the app harness (app-harness.ts) offers a test and answers with: the protocol's own types
 * (sdk/protocol), so an app's tests read messages and conversations as clients do.
 */
import type { AttachmentView } from '../protocol/attachments.js';
import type { Conversation, Message, StructuredContent, TextContent } from '../protocol/message.js';

export interface HarnessOptions {
  /** Path of the app's manifest.json (its entry may be the .ts source or a built bundle). */
  manifest: string;
  /** The app's settings, as an operator would set them. */
  settings?: Record<string, unknown>;
  /** Per permission: false refuses it; an object narrows its scope (as plugins.enabled[].grants). */
  grants?: Record<string, false | Record<string, unknown>>;
  /** Further plugins to enable next to the app (entries of plugins.enabled). */
  plugins?: { id?: string; path?: string; settings?: Record<string, unknown> }[];
}

export interface HarnessUser {
  id: string;
  handle: string;
  token: string;
}
/** A conversation as the host answers it (protocol.md#conversations). */
export type HarnessConversation = Conversation;
/** An upload as the host answers it (protocol.md#attachments): its file URLs, null ids until sent. */
export type HarnessAttachment = AttachmentView;
/** What a message may carry besides its text (the fields of POST /v1/conversations/:id/messages). */
export type HarnessSendOptions = { attachmentIds?: string[]; threadRootId?: string; replyToId?: string };
/**
 * A message's content, a MessageContent whose other field reads as undefined: a test reads
 * `content.text` of a text message, or `content.body` of a structured one, without narrowing.
 */
export type HarnessContent =
  (TextContent & { readonly body?: undefined }) | (StructuredContent & { readonly text?: undefined });
/** Which messages to read: a thread's replies instead of the main timeline. */
export type HarnessThreadOption = { threadRootId?: string };
/** How long `waitForMessage` waits (10,000 ms unless set), and where it looks. */
export type HarnessWaitOptions = HarnessThreadOption & { timeoutMs?: number };
/** A message as the host answers it (protocol.md#message); `content` is null once it is deleted. */
export interface HarnessMessage extends Message {
  readonly content: HarnessContent | null;
}

/** An error the host answered with: its catalog code, HTTP status and message. */
export class HarnessError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(`${code} (${status}): ${message}`);
    this.name = 'HarnessError';
  }
}

export interface AppHarness {
  readonly url: string;
  /** The app's id and its bot user. */
  readonly app: { id: string; botUserId: string };
  createUser(handle?: string): Promise<HarnessUser>;
  /** A group owned by `owner` with the app's bot (and `members`) in it. */
  createGroup(owner: HarnessUser, title?: string, members?: HarnessUser[]): Promise<HarnessConversation>;
  /** Types a slash command; resolves to the reply shown to the user ("" when the app replied nothing). */
  command(user: HarnessUser, conversationId: string, text: string): Promise<{ text: string }>;
  /** Sends a text message (with files, in a thread); the app's events see it after this resolves. */
  send(user: HarnessUser, conversationId: string, text: string, options?: HarnessSendOptions): Promise<HarnessMessage>;
  /** Uploads a file as `user`, unsent: send it with `send(…, { attachmentIds: [id] })`. */
  upload(user: HarnessUser, name: string, data: Uint8Array | string, type?: string): Promise<HarnessAttachment>;
  /** The bytes of an attachment `user` may see (a file the app sent, say). */
  download(user: HarnessUser, attachmentId: string): Promise<Uint8Array>;
  /** Taps a button or quick reply of an interactive message. */
  tap(user: HarnessUser, conversationId: string, messageId: string, buttonId: string): Promise<{ text: string }>;
  /** Every message, oldest first (thread replies too, each naming its root); with `threadRootId`, that thread's replies. */
  history(user: HarnessUser, conversationId: string, options?: HarnessThreadOption): Promise<HarnessMessage[]>;
  /**
   * The first message (of the timeline, or of a thread) that `match` accepts, once it is there:
   * what an app does after an event runs after `send` resolves, so a test waits for its reply.
   * Throws after `timeoutMs` (10 s) with what it saw.
   */
  waitForMessage(
    user: HarnessUser,
    conversationId: string,
    match: (message: HarnessMessage) => boolean,
    options?: HarnessWaitOptions,
  ): Promise<HarnessMessage>;
  /** The app's health as operators see it: state, restarts, failures, CPU and memory. */
  health(): Promise<Record<string, unknown>>;
  /** The app's log lines, oldest first. */
  logs(): Promise<{ level: string; message: string; data: unknown; at: string }[]>;
  /** Any other HTTP call, as `user` (or as the operator with 'admin'). */
  http(
    method: string,
    path: string,
    options?: { as?: HarnessUser | 'admin'; body?: unknown },
    // The parsed JSON of any route: a test reads into it freely, as it would in a REST client.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
  ): Promise<{ status: number; body: any }>;
  stop(): Promise<void>;
}
