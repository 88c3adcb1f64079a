/** The conversations capability: the bot's conversations and their members. Part of PluginContext (../plugin-context.ts). */
import type { Conversation, Member } from '../../protocol/message.js';

export interface ConversationsCapability {
  /** permission conversations.read: the bot's conversations. */
  list(): Promise<Conversation[]>;
  /** permission conversations.read. */
  get(conversationId: string): Promise<Conversation>;
  /** permission conversations.read; first 500 members. */
  members(conversationId: string): Promise<Member[]>;
  /** permission conversations.manage: the direct conversation between the bot and a user. */
  direct(userId: string): Promise<Conversation>;
  /** permission conversations.manage: a group owned by the bot. */
  createGroup(title: string, memberIds: readonly string[]): Promise<Conversation>;
  /** permission conversations.manage; the bot must be owner or admin. */
  addMembers(conversationId: string, userIds: readonly string[]): Promise<Conversation>;
  /** permission conversations.manage; the bot must be owner or admin. */
  removeMember(conversationId: string, userId: string): Promise<void>;
}
