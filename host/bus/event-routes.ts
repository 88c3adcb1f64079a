import type { HostEventType } from './event-bus.js';

/**
 * How each event crosses hosts, in one list (the compiler makes every new event type choose):
 * - `stream`: a committed change a client must not miss. It goes on a Redis Stream, which a
 *   reader resumes from its last id after a disconnect, so a short outage loses nothing.
 * - `pubsub`: ephemeral state (typing, presence). Losing one during an outage is harmless: the
 *   next one replaces it, so it takes Redis pub/sub, which keeps nothing.
 */
export const eventRoutes: Readonly<Record<HostEventType, 'stream' | 'pubsub'>> = {
  'message.changed': 'stream',
  'membership.changed': 'stream',
  receipt: 'stream',
  'token.revoked': 'stream',
  'conversation.muted': 'stream',
  'conversation.archived': 'stream',
  'thread.read': 'stream',
  'thread.unread': 'stream',
  'user.updated': 'stream',
  'block.changed': 'stream',
  typing: 'pubsub',
  presence: 'pubsub',
  'presence.heartbeat': 'pubsub',
};
