import type { Message, PublicUser } from '../../sdk/protocol/message.js';
import type { PresenceStatus } from '../../sdk/protocol/frames.js';

/**
 * Everything one host tells the others (and itself) after a commit. Events are plain JSON so
 * that a Redis or NATS implementation can carry them between hosts unchanged.
 */
/** What happened to a message (messages/message-change.ts maps it to frames and plugin events). */
export type MessageChange = 'created' | 'edited' | 'deleted' | 'reaction';

export type HostEvent =
  | { type: 'message.changed'; conversationId: string; pts: number; change: MessageChange; message: Message }
  | { type: 'membership.changed'; conversationId: string; added: string[]; removed: string[] }
  /** `ownOnly`: a block closes the conversation, so only the reader's own devices are told. */
  | { type: 'receipt'; conversationId: string; userId: string; seq: number; ownOnly?: true }
  | { type: 'typing'; conversationId: string; userId: string; state: 'started' | 'stopped' }
  | { type: 'presence'; userId: string; status: PresenceStatus; at: number; hostId: string }
  | {
      type: 'presence.heartbeat';
      hostId: string;
      at: number;
      /** The SetDigest of the sender's online users. */
      digest: string;
      /** The full list, only when asked for (and at start and after an outage). */
      userIds?: string[];
      /** Every host should answer with its full list. */
      ask: boolean;
      /** Only this host should (its digest did not match what the sender knows of it). */
      askHost?: string;
    }
  /** A token stopped working; `reason` account_deactivated when its account was deactivated. */
  | { type: 'token.revoked'; tokenId: string; reason?: 'account_deactivated' }
  /** A member muted or unmuted a conversation (epoch ms, or null): their own devices are told. */
  | { type: 'conversation.muted'; userId: string; conversationId: string; mutedUntil: number | null }
  /** A member archived or unarchived a conversation (epoch ms, or null): their own devices are told. */
  | { type: 'conversation.archived'; userId: string; conversationId: string; archivedAt: number | null }
  /** A follower's read position in a thread moved: their own devices are told. */
  | { type: 'thread.read'; userId: string; conversationId: string; rootId: string; seq: number; unreadCount: number }
  /** What is new to these followers of a thread changed (a reply sent or deleted, an unfollow): each is told their own. */
  | {
      type: 'thread.unread';
      conversationId: string;
      rootId: string;
      followers: { userId: string; seq: number; unreadCount: number }[];
    }
  /** A profile changed (display name, avatar): the user as it is now. */
  | { type: 'user.updated'; user: PublicUser }
  /** `blockerId` blocked `userId` (epoch ms) or unblocked them (null): the blocker's own devices are told. */
  | { type: 'block.changed'; blockerId: string; userId: string; blockedAt: number | null };

export type HostEventType = HostEvent['type'];
export type HostEventOf<T extends HostEventType> = Extract<HostEvent, { type: T }>;

/** The one fan-out interface. Delivery order per publisher is the publish order. */
export interface EventBus {
  publish(event: HostEvent): void;
  /**
   * Every host's events of a type (work that must happen once per cluster, such as plugin events,
   * does not ride on the bus: see the plugin event outbox).
   */
  subscribe<T extends HostEventType>(type: T, handler: (event: HostEventOf<T>) => void): () => void;
  /** Lets go of connections (a bus between hosts holds some); called once when the host stops. */
  close?(): Promise<void>;
  /** A bus between hosts: whether it reaches them now (`/readyz` reports it). */
  isConnected?(): boolean;
  /**
   * A bus between hosts: calls back once it hears the others (at once if it already does), and
   * again each time it reaches them after an outage, so what was not carried meanwhile
   * (revocations, presence) can be caught up. Returns the unsubscribe.
   */
  onReconnected?(callback: () => void): () => void;
}
