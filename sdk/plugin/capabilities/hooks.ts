/** The hooks capability: a say over each message before it is stored. Part of PluginContext (../plugin-context.ts). */
import type { MessageContent } from '../../protocol/message.js';

export interface BeforeStoreMessage {
  readonly conversationId: string;
  readonly senderId: string;
  readonly content: MessageContent;
  readonly replyToId: string | null;
  /** The message being edited, or null for a new message: hooks see edits too. */
  readonly editOf: string | null;
}

export type HookDecision =
  { action: 'allow' } | { action: 'modify'; content: MessageContent } | { action: 'reject'; reason: string };

/**
 * permission hooks, for the hooks the manifest contributes. Hooks run in order before a message
 * is stored, each within its timeoutMs; on a timeout or an error the manifest's failMode decides.
 */
export interface HooksCapability {
  beforeStore(handler: (message: BeforeStoreMessage) => HookDecision | Promise<HookDecision>): void;
}
