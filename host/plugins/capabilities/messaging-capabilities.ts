import type { ConversationsCapability, UsersCapability } from '../../../sdk/plugin/plugin-context.js';
import type { ConversationService } from '../../conversations/conversation-service.js';
import type { GroupService } from '../../conversations/group-service.js';
import type { UserService } from '../../auth/user-service.js';
import type { Presence } from '../../realtime/presence.js';
import { SwitchboardError } from '../../../sdk/errors/switchboard-error.js';
import { promised, type CapabilityGuard } from './capability-guard.js';

/** Conversations as the plugin's bot: the same services, and so the same rules, as for people. */
export function conversationsCapability(
  guard: CapabilityGuard,
  botId: string,
  conversations: ConversationService,
  groups: GroupService,
): ConversationsCapability {
  return {
    async list() {
      guard.need('conversations.read');
      return conversations.list(botId);
    },
    async get(conversationId) {
      guard.need('conversations.read');
      return conversations.get(botId, conversationId);
    },
    async members(conversationId) {
      guard.need('conversations.read');
      return (await conversations.members(botId, conversationId, undefined, 500)).members;
    },
    async direct(userId) {
      guard.need('conversations.manage');
      return guard.audited(
        'conversations',
        'direct',
        (c) => c.id,
        () => conversations.direct(botId, userId),
      );
    },
    async createGroup(title, memberIds) {
      guard.need('conversations.manage');
      return guard.audited(
        'conversations',
        'createGroup',
        (c) => c.id,
        () => conversations.createGroup(botId, title, [...memberIds]),
      );
    },
    async addMembers(conversationId, userIds) {
      guard.need('conversations.manage');
      return guard.audited('conversations', 'addMembers', conversationId, () =>
        groups.addMembers(botId, conversationId, [...userIds], 'member'),
      );
    },
    async removeMember(conversationId, userId) {
      guard.need('conversations.manage');
      return guard.audited('conversations', 'removeMember', `${conversationId}/${userId}`, () =>
        groups.removeMember(botId, conversationId, userId),
      );
    },
  };
}

const MAX_PRESENCE_IDS = 500;

export function usersCapability(guard: CapabilityGuard, users: UserService, presence: Presence): UsersCapability {
  return {
    async get(userId) {
      guard.need('users.read');
      return users.byId(userId);
    },
    async byHandle(handle) {
      guard.need('users.read');
      return users.byHandle(handle);
    },
    presence(userIds) {
      return promised(() => {
        guard.need('presence');
        if (
          !Array.isArray(userIds) ||
          userIds.length > MAX_PRESENCE_IDS ||
          !userIds.every((id) => typeof id === 'string')
        ) {
          throw new SwitchboardError(
            'invalid_request',
            `userIds must be an array of at most ${MAX_PRESENCE_IDS} user ids (strings).`,
            {
              details: [{ path: '/userIds', message: `must be an array of at most ${MAX_PRESENCE_IDS} strings` }],
            },
          );
        }
        // A read of in-memory state, not a side effect: not audited, like users.get.
        return presence.statusesOf(userIds);
      });
    },
  };
}
