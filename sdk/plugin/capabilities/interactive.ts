/** The interactive capability: messages with buttons, and the taps that come back. Part of PluginContext (../plugin-context.ts). */
import type { Message } from '../../protocol/message.js';
import type { CommandReply } from './commands.js';

export interface Button {
  /** Comes back in the postback; 1-64 characters. */
  id: string;
  label: string;
  style?: 'primary' | 'secondary' | 'danger';
}

/** Shown under the message; a tap is a postback like a button. */
export interface QuickReply {
  id: string;
  label: string;
}

export interface InteractiveMessage {
  text: string;
  buttons?: Button[];
  quickReplies?: QuickReply[];
}

export interface Postback {
  readonly conversationId: string;
  readonly messageId: string;
  /** The button or quick reply id. */
  readonly buttonId: string;
  /** Who tapped it. */
  readonly userId: string;
}

/**
 * permission interactive. Messages with buttons are sent as the bot with content type
 * "interactive.card"; taps by members come back only to the plugin that sent the message.
 */
export interface InteractiveCapability {
  send(conversationId: string, message: InteractiveMessage, options?: { clientMsgId?: string }): Promise<Message>;
  /** The reply, if any, is shown only to the user who tapped. */
  onPostback(handler: (postback: Postback) => CommandReply | void | Promise<CommandReply | void>): void;
}
