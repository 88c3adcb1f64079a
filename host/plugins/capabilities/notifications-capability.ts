import { SwitchboardError } from '../../../sdk/errors/switchboard-error.js';
import type { NotificationsCapability, PluginNotification } from '../../../sdk/plugin/plugin-context.js';
import type { NotificationDispatch } from '../../core/extension-points.js';
import type { Database } from '../../db/open-database.js';
import type { CapabilityGuard } from './capability-guard.js';

const MAX_TITLE = 120;
/** Longer bodies are cut to a preview by the dispatcher; this only bounds what crosses. */
const MAX_BODY = 4_000;
const KINDS: ReadonlySet<string> = new Set(['assignment', 'plugin']);
const FIELDS: ReadonlySet<string> = new Set(['title', 'body', 'conversationId', 'url', 'kind']);
/** A path on the host, never another origin ("//evil.example" is one). */
const PATH = /^\/(?![/\\])[\x21-\x7e]{0,511}$/;

function invalid(message: string): never {
  throw new SwitchboardError('invalid_request', message);
}

function text(value: unknown, what: string, max: number): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > max)
    invalid(`${what} must be a non-blank string of at most ${max} characters.`);
  return value;
}

function checked(userId: unknown, n: unknown): { userId: string; notification: PluginNotification } {
  if (typeof userId !== 'string' || userId.length === 0 || userId.length > 64) invalid('userId must be a user id.');
  if (typeof n !== 'object' || n === null || Array.isArray(n))
    invalid('The notification must be an object { title, body, conversationId?, url?, kind? }.');
  const fields = n as Record<string, unknown>;
  for (const key of Object.keys(fields))
    if (!FIELDS.has(key)) invalid(`Unknown notification field "${key.slice(0, 64)}".`);
  const { conversationId, url, kind } = fields;
  if (conversationId !== undefined && (typeof conversationId !== 'string' || conversationId.length > 64))
    invalid('conversationId must be a conversation id.');
  if (url !== undefined && (typeof url !== 'string' || !PATH.test(url)))
    invalid('url must be a path on the host, such as "/agent".');
  if (kind !== undefined && (typeof kind !== 'string' || !KINDS.has(kind)))
    invalid('kind must be "assignment" or "plugin".');
  return {
    userId,
    notification: {
      title: text(fields.title, 'title', MAX_TITLE),
      body: text(fields.body, 'body', MAX_BODY),
      ...(conversationId === undefined ? {} : { conversationId }),
      ...(url === undefined ? {} : { url }),
      ...(kind === undefined ? {} : { kind: kind as PluginNotification['kind'] }),
    },
  };
}

/**
 * Pushes on a plugin's behalf, to people its bot shares a conversation with (the one named, when
 * one is): a plugin reaches those it already talks to, never anyone by id. Audited.
 */
export function notificationsCapability(
  guard: CapabilityGuard,
  botId: string,
  db: Database,
  notifications: NotificationDispatch,
): NotificationsCapability {
  return {
    async send(rawUserId, rawNotification) {
      guard.need('notifications.send');
      const { userId, notification } = checked(rawUserId, rawNotification);
      const shared = db
        .knex('members as theirs')
        .join('members as bot', 'bot.conversation_id', 'theirs.conversation_id')
        .where({ 'theirs.user_id': userId, 'bot.user_id': botId });
      if (notification.conversationId !== undefined)
        shared.where('theirs.conversation_id', notification.conversationId);
      if (!(await shared.first('theirs.user_id'))) {
        if (notification.conversationId !== undefined) throw new SwitchboardError('conversation_not_found');
        throw new SwitchboardError('forbidden', "The plugin's bot shares no conversation with that user.");
      }
      await guard.audited('notifications', 'send', userId, () => notifications.notify(userId, notification));
    },
  };
}
