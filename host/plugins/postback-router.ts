import { inject, injectable } from 'tsyringe';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import { Tokens } from '../core/container-tokens.js';
import type { Database } from '../db/open-database.js';
import { requireMembership } from '../conversations/membership.js';
import type { MessageRow } from '../conversations/message-row.js';
import { MessageTypeRegistry } from '../messages/message-type-registry.js';
import { assertUniqueTappableIds, tappableIds } from '../messages/tappable-ids.js';
import { PluginLogs } from './plugin-logs.js';
import { PluginRegistry } from './plugin-registry.js';
import { callPlugin } from './call-plugin.js';
import { replyOf } from './command-router.js';
import type { PostbackDispatch, PostbackResult } from '../core/extension-points.js';

/** The host's structured type for messages with buttons and quick replies. */
export const INTERACTIVE_CARD_TYPE = 'interactive.card';

const POSTBACK_TIMEOUT_MS = 5_000;

const id = { type: 'string', minLength: 1, maxLength: 64 };
const label = { type: 'string', minLength: 1, maxLength: 80 };

export const INTERACTIVE_CARD_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['text'],
  properties: {
    text: { type: 'string', minLength: 1, maxLength: 4000 },
    buttons: {
      type: 'array',
      maxItems: 10,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'label'],
        properties: { id, label, style: { enum: ['primary', 'secondary', 'danger'] } },
      },
    },
    quickReplies: {
      type: 'array',
      maxItems: 13,
      items: { type: 'object', additionalProperties: false, required: ['id', 'label'], properties: { id, label } },
    },
  },
} as const;

/**
 * Interactive messages: registers "interactive.card" at host start, lets only the bots of running
 * plugins granted `interactive` send or edit it, and routes a member's tap on one of its buttons
 * or quick replies to the plugin whose bot sent the card. The reply goes only to the tapper.
 * Taps on a plugin's own message types (e.g. a carousel whose elements have buttons), sent by its
 * bot, are routed the same way; their tappable ids are those tappableIds() finds in the body.
 */
@injectable()
export class PostbackRouter implements PostbackDispatch {
  constructor(
    @inject(Tokens.Database) private readonly db: Database,
    @inject(MessageTypeRegistry) types: MessageTypeRegistry,
    @inject(PluginRegistry) private readonly registry: PluginRegistry,
    @inject(PluginLogs) private readonly logs: PluginLogs,
  ) {
    // Many legitimate senders (one bot per plugin granted `interactive`), and no one else.
    types.register(INTERACTIVE_CARD_TYPE, {
      schema: INTERACTIVE_CARD_SCHEMA,
      mayPost: (senderId) =>
        this.registry.running().some((r) => r.botUserId === senderId && r.granted.has('interactive')),
      check: assertUniqueTappableIds,
    });
  }

  async tap(userId: string, conversationId: string, messageId: string, buttonId: string): Promise<PostbackResult> {
    await requireMembership(this.db.knex, conversationId, userId);
    const row = await this.db
      .knex<MessageRow>('messages')
      .where({ id: messageId, conversation_id: conversationId })
      .first<MessageRow | undefined>();
    if (!row || !this.answersTaps(row)) {
      throw new SwitchboardError('message_not_found', 'No interactive message with this id in this conversation.');
    }
    if (row.deleted_at !== null || row.content === null)
      throw new SwitchboardError(
        'message_deleted',
        'The interactive message was deleted; its buttons no longer answer.',
      );
    if (!tappableIds(JSON.parse(row.content)).includes(buttonId)) {
      throw new SwitchboardError('invalid_request', `The message has no button or quick reply "${buttonId}".`, {
        details: [{ path: '/buttonId', message: 'is not on this message' }],
      });
    }
    const plugin = this.registry.running().find((r) => r.botUserId === row.sender_id);
    const handler = plugin?.handlers.postback;
    if (!plugin || !handler)
      throw new SwitchboardError(
        'unavailable',
        'The plugin that sent this message is not running or does not answer taps.',
      );
    const postback = Object.freeze({ conversationId, messageId, buttonId, userId });
    const reply = await callPlugin(
      this.logs,
      {
        pluginId: plugin.id,
        kind: 'postback',
        what: `the tap on button ${buttonId}`,
        deadlineMs: POSTBACK_TIMEOUT_MS,
        hasCaller: true,
      },
      async () => replyOf(await handler(postback)),
    );
    return { plugin: plugin.id, reply };
  }

  /**
   * Whether taps on a message are routed: an "interactive.card", or a message type its sender's
   * plugin contributes ("<plugin id>.<name>", sent by that plugin's bot). A plugin that is stopped
   * still owns its types here, so a tap then answers `unavailable`, as for its cards.
   */
  private answersTaps(row: MessageRow): boolean {
    if (row.content_type === INTERACTIVE_CARD_TYPE) return true;
    const plugin = this.registry.all().find((r) => r.botUserId === row.sender_id);
    return (
      !!plugin &&
      row.content_type.startsWith(`${plugin.id}.`) &&
      (plugin.manifest?.contributes?.messageTypes ?? []).some((t) => t.type === row.content_type)
    );
  }
}
