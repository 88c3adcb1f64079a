/** The users capability: public profiles and presence. Part of PluginContext (../plugin-context.ts). */
import type { PublicUser } from '../../protocol/message.js';

export interface UsersCapability {
  /** permission users.read. */
  get(userId: string): Promise<PublicUser>;
  /** permission users.read. */
  byHandle(handle: string): Promise<PublicUser>;
  /** permission presence: whether each user is connected to any host now; at most 500 ids, unknown ids are offline. */
  presence(
    userIds: readonly string[],
  ): Promise<{ userId: string; status: 'online' | 'offline'; lastSeenAt: string | null }[]>;
}
