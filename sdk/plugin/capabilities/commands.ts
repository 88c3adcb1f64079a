/** The commands capability: slash commands the manifest contributes. Part of PluginContext (../plugin-context.ts). */

export interface CommandInvocation {
  readonly command: string;
  /** Arguments by name, as declared in the manifest. */
  readonly args: Readonly<Record<string, string | number>>;
  /** Everything after the command name. */
  readonly text: string;
  readonly conversationId: string;
  readonly userId: string;
  /**
   * The idempotency key the client sent with the command (`idempotencyKey` on the command frame
   * or body), or null. A client resending a command after a lost answer sends the same key;
   * a command that must take effect once (moving money, say) keys its effect on it, per user.
   */
  readonly idempotencyKey: string | null;
}

/** An answer shown only to the user who typed the command. */
export interface CommandReply {
  text: string;
}

/** permission commands, for the commands the manifest contributes. */
export interface CommandsCapability {
  handle(
    name: string,
    handler: (invocation: CommandInvocation) => CommandReply | void | Promise<CommandReply | void>,
  ): void;
}
