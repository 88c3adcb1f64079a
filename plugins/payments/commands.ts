import type { PluginContext } from '../../sdk/index.js';
import { formatMinor, parseMajor } from './currencies.js';
import { PaymentError } from './payment-error.js';
import { setPin } from './pins.js';
import { userBalances } from './reports.js';
import type { PaymentsSettings } from './settings.js';
import { announceTransfer, transfer } from './transfers.js';

/** Chat commands; their replies go only to whoever typed them (so a PIN typed here is never posted). */
export function registerCommands(ctx: PluginContext<PaymentsSettings>): void {
  const reply = (text: string) => ({ text });
  const failed = (err: unknown) => {
    if (err instanceof PaymentError) return reply(`${err.message} [${err.code}]`);
    throw err;
  };

  ctx.commands.handle('balance', async (inv) => {
    const balances = await userBalances(ctx, inv.userId);
    if (balances.length === 0) return reply('You have no balance yet.');
    return reply(balances.map((b) => formatMinor(ctx.settings.currencies, b.currency, b.balanceMinor)).join(', '));
  });

  ctx.commands.handle('setpin', async (inv) => {
    try {
      await setPin(ctx, inv.userId, String(inv.args.pin), inv.args.current === undefined ? undefined : String(inv.args.current));
      return reply('Your payments PIN is set.');
    } catch (err) {
      return failed(err);
    }
  });

  // /pay @bob 12.50 EUR 1234 lunch
  ctx.commands.handle('pay', async (inv) => {
    try {
      const currency = String(inv.args.currency).toUpperCase();
      const amountMinor = parseMajor(ctx.settings.currencies, currency, String(inv.args.amount));
      const { result } = await transfer(ctx, inv.userId, {
        to: String(inv.args.to), amountMinor, currency, conversationId: inv.conversationId, pin: String(inv.args.pin),
        note: inv.args.note === undefined ? undefined : String(inv.args.note), idempotencyKey: await ctx.crypto.randomId(),
      });
      await announceTransfer(ctx, result);
      return reply(`Sent ${formatMinor(ctx.settings.currencies, currency, amountMinor)}. Your balance: ${formatMinor(ctx.settings.currencies, currency, result.balanceAfterMinor)}.`);
    } catch (err) {
      return failed(err);
    }
  });
}
