import { errorCodeOf, withDeadline, type PluginContext } from '../../../sdk/index.js';
import type { WebhookEvent } from '../webhooks/webhooks.js';

/** The service an attached bot provides to hear what happens in its business's conversations. */
export const BOT_EVENT_SERVICE = 'businessEvent';
const BOT_CALL_TIMEOUT_MS = 5_000;
/** Events waiting for a slow bot at most; later ones are dropped (and logged): delivery to bots is at most once. */
const MAX_WAITING_PER_BOT = 1_000;

/**
 * What a business's bot hears, through its `<bot>.businessEvent` service: in order, at most once
 * (a bot that fails or is stopped misses the event, and the failure is logged).
 */
export class BotEvents {
  /** Per bot, calls go one after another, so a bot hears its events in order. */
  private readonly chains = new Map<string, { tail: Promise<void>; waiting: number }>();

  constructor(private readonly ctx: PluginContext) {}

  /** Queues the event behind the bot's earlier ones; returns at once. */
  send(pluginId: string, event: WebhookEvent): void {
    const byBot = this.chains;
    let chain = byBot.get(pluginId);
    if (!chain) byBot.set(pluginId, (chain = { tail: Promise.resolve(), waiting: 0 }));
    if (chain.waiting >= MAX_WAITING_PER_BOT) {
      this.ctx.log.warn('the business bot is too far behind; event dropped', { bot: pluginId, type: event.type });
      return;
    }
    const own = chain;
    own.waiting++;
    own.tail = own.tail.then(async () => {
      await this.call(pluginId, event);
      if (--own.waiting === 0 && byBot.get(pluginId) === own) byBot.delete(pluginId);
    });
  }

  /** Calls the bot's event service within a deadline; resolves either way, with the failure or null. */
  async call(pluginId: string, event: WebhookEvent): Promise<string | null> {
    const outcome = await withDeadline(
      () => this.ctx.services.call(`${pluginId}.${BOT_EVENT_SERVICE}`, event),
      BOT_CALL_TIMEOUT_MS,
    );
    const failure =
      'value' in outcome
        ? null
        : 'timedOut' in outcome
          ? 'timeout'
          : (errorCodeOf(outcome.error) ?? String((outcome.error as Error)?.message ?? outcome.error));
    if (failure !== null)
      this.ctx.log.warn('the business bot did not take an event', { bot: pluginId, type: event.type, failure });
    return failure;
  }
}
