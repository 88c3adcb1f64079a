import type { PluginContext } from '../../../sdk/index.js';
import { formatMinor, parseMajor } from '../currencies.js';
import { PaymentError } from '../payment-error.js';
import { setPin } from '../pins/set-pin.js';
import { userBalances } from '../ledger/reports.js';
import type { PaymentsState } from '../payments-state.js';
import type { PaymentsSettings } from '../settings.js';
import { announceTransfer, transfer } from '../transfers/send-transfer.js';

/** `key=<1–128 characters>`, the last word of a money-moving command: its idempotency key. */
const KEY = /(?:^|\s)key=(\S{1,128})$/;

/**
 * Splits a /pay command's last words into its note and its idempotency key. A command that moves
 * money must carry a key (a command invocation carries no id of the frame it came in, so the
 * client names one), or a resent command would pay twice.
 */
export function noteAndKey(
  rest: string | number | undefined,
  sentKey: string | null = null,
): { note: string | undefined; key: string } {
  const text = rest === undefined ? '' : String(rest).trim();
  const match = KEY.exec(text);
  if (!match) {
    // The client's idempotency key, sent with the command frame or body: what clients send.
    if (sentKey !== null) return { note: text === '' ? undefined : text, key: sentKey };
    throw new PaymentError(
      'invalid_payment_request',
      'A payment needs an idempotency key: send the command with idempotencyKey, or end it with key=<a unique id> (1 to 128 characters), e.g. /pay @bob 12.50 EUR 4711 lunch key=7f9c2b. The same key again never pays twice.',
    );
  }
  const note = text.slice(0, match.index).trim();
  return { note: note === '' ? undefined : note, key: match[1]! };
}

/** Chat commands; their replies go only to whoever typed them (so a PIN typed here is never posted). */
export function registerCommands(ctx: PluginContext<PaymentsSettings>, state: PaymentsState): void {
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
      await setPin(
        ctx,
        state.pinKey,
        inv.userId,
        String(inv.args.pin),
        inv.args.current === undefined ? undefined : String(inv.args.current),
      );
      return reply('Your payments PIN is set.');
    } catch (err) {
      return failed(err);
    }
  });

  // /pay @bob 12.50 EUR 1234 lunch key=7f9c…: the key makes the command idempotent, so the same
  // command delivered twice (a client resending a frame it got no answer to) pays once.
  ctx.commands.handle('pay', async (inv) => {
    try {
      const { note, key } = noteAndKey(inv.args.note, inv.idempotencyKey);
      const currency = String(inv.args.currency).toUpperCase();
      const amountMinor = parseMajor(ctx.settings.currencies, currency, String(inv.args.amount));
      const { result } = await transfer(ctx, state, inv.userId, {
        to: String(inv.args.to),
        amountMinor,
        currency,
        conversationId: inv.conversationId,
        pin: String(inv.args.pin),
        note,
        idempotencyKey: key,
      });
      await announceTransfer(ctx, result);
      return reply(
        `Sent ${formatMinor(ctx.settings.currencies, currency, amountMinor)}. Your balance: ${formatMinor(ctx.settings.currencies, currency, result.balanceAfterMinor)}.`,
      );
    } catch (err) {
      return failed(err);
    }
  });
}
