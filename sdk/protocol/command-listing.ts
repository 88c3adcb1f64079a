/** What GET /v1/conversations/:id/commands answers: the slash commands a caller can run there. */

/** One argument of a listed command, as its plugin declared it. */
export interface CommandListingArgument {
  name: string;
  required: boolean;
  description?: string;
  /** How the argument is read: one word, a whole number, or the rest of the line. */
  type: 'string' | 'integer' | 'rest';
}
/** A slash command the caller can run in a conversation (GET /v1/conversations/:id/commands). */
export interface CommandListing {
  /** The plugin that answers it. */
  plugin: string;
  name: string;
  description: string;
  /** e.g. "/pay <amount> <to> [note]": required arguments in <>, optional ones in []. */
  usage: string;
  args: CommandListingArgument[];
}
