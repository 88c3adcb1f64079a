/**
 * The reference plugin. Copy this folder and manifests/echo-bot.json to start your own: it
 * shows commands with arguments, storage with compare-and-set, an event subscription, a
 * before-store hook, a durable scheduled job and settings. It imports only from the SDK.
 */
import { definePlugin, SwitchboardError, type PluginContext } from '../../sdk/index.js';

interface Settings {
  bannedWords: string[];
  echoPrefix: string;
}

export default definePlugin<Settings>({
  start(ctx) {
    if (ctx.permissions.refused.length > 0)
      ctx.log.warn('running without some permissions', { refused: [...ctx.permissions.refused] });

    ctx.commands.handle('echo', async ({ conversationId, args }) => {
      await ctx.messages.send(conversationId, { type: 'text', text: `${ctx.settings.echoPrefix}${String(args.text)}` });
    });

    ctx.commands.handle('remember', async ({ conversationId, args }) => {
      await ctx.storage.set(`notes/${conversationId}/${String(args.key)}`, String(args.note));
      return { text: `Noted "${String(args.key)}".` };
    });

    ctx.commands.handle('recall', async ({ conversationId, args }) => {
      if (args.key !== undefined) {
        const note = await ctx.storage.get<string>(`notes/${conversationId}/${String(args.key)}`);
        return { text: note ? note.value : `No note "${String(args.key)}".` };
      }
      const { entries } = await ctx.storage.list<string>(`notes/${conversationId}/`, { limit: 50 });
      return {
        text: entries.length ? entries.map((e) => `${e.key.split('/').pop()}: ${e.value}`).join('\n') : 'No notes yet.',
      };
    });

    // Reminders are jobs in the database: they fire even if the host restarts in between.
    ctx.scheduler.handle('remind', async (job) => {
      const { conversationId, text } = job.payload as { conversationId: string; text: string };
      await ctx.messages.send(
        conversationId,
        { type: 'text', text: `Reminder: ${text}` },
        { clientMsgId: `remind-${job.id}` },
      );
    });

    ctx.commands.handle('remind', async ({ conversationId, args }) => {
      const seconds = Number(args.seconds);
      if (seconds < 1 || seconds > 7 * 86_400) return { text: 'Give a delay from 1 second to 7 days.' };
      await ctx.scheduler.schedule('remind', {
        delayMs: seconds * 1000,
        payload: { conversationId, text: String(args.text) },
      });
      return { text: `I will remind you in ${seconds} s.` };
    });

    ctx.commands.handle('stats', async ({ conversationId }) => {
      const seen = await ctx.storage.get<number>(`seen/${conversationId}`);
      return { text: `I have seen ${seen?.value ?? 0} messages here.` };
    });

    ctx.events.on('message.created', async ({ conversationId, message }) => {
      if (message.senderId === ctx.self.id) return;
      await increment(ctx, `seen/${conversationId}`);
    });

    const banned = ctx.settings.bannedWords.map((w) => w.toLowerCase());
    ctx.hooks.beforeStore((message) => {
      if (banned.length === 0 || !('text' in message.content)) return { action: 'allow' };
      const text = message.content.text.toLowerCase();
      const word = banned.find((w) => text.includes(w));
      return word ? { action: 'reject', reason: `"${word}" is not allowed here.` } : { action: 'allow' };
    });
  },
});

/** A counter that stays right when events are handled concurrently: compare-and-set, retried. */
async function increment(ctx: PluginContext<Settings>, key: string): Promise<void> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const current = await ctx.storage.get<number>(key);
    try {
      await ctx.storage.set(key, (current?.value ?? 0) + 1, { ifVersion: current?.version ?? 0 });
      return;
    } catch (err) {
      if (!(err instanceof SwitchboardError && err.code === 'storage_conflict')) throw err;
    }
  }
  ctx.log.warn('gave up counting after repeated conflicts', { key });
}
