import type { ServiceCaller } from '../../../sdk/index.js';
import type { BusinessApp } from '../business-app.js';
import { BusinessError } from '../business-error.js';
import { isObject } from '../http-handling.js';
import { changeControl, requestControl } from '../inbox/handover.js';
import { paymentResult, preCheckout } from '../invoices/invoices.js';
import { sendFromBusiness } from '../outgoing/send-from-business.js';
import { threadOf, threadView, type ThreadRow } from '../inbox/threads.js';

/** The thread named by the input, if the caller is the bot its business attached. */
async function botThread(
  app: BusinessApp,
  input: unknown,
  caller: ServiceCaller,
): Promise<{ thread: ThreadRow; body: Record<string, unknown> }> {
  if (!isObject(input)) throw new BusinessError('invalid_business_request', 'The input is an object with threadId.');
  const thread = await threadOf(app.ctx, input.threadId);
  // Read fresh, not from the per-message cache: a bot detached a moment ago must not act.
  const b = await app.businesses.get(thread.business_id);
  if (b.bot_plugin_id !== caller.pluginId) throw new BusinessError('thread_not_found');
  return { thread, body: input };
}

/**
 * What an attached bot (a trusted plugin or a sandboxed app, with services.call for these) uses:
 * `business.send`, `business.passThreadControl`, `business.takeThreadControl`,
 * `business.requestThreadControl`, `business.thread`. It hears events through its own
 * `<bot>.businessEvent` service. Also payments' callbacks for invoices. A refusal reaches the
 * bot with the BusinessError's code, status and details (the host's plugin call boundary).
 */
export function provideServices(app: BusinessApp): void {
  const { ctx } = app;
  ctx.services.provide('send', async (input, caller) => {
    const { thread, body } = await botThread(app, input, caller);
    return sendFromBusiness(app, thread, body, { kind: 'bot' });
  });
  ctx.services.provide('passThreadControl', async (input, caller) => {
    const { thread, body } = await botThread(app, input, caller);
    if (thread.control !== 'bot')
      throw new BusinessError('not_thread_owner', 'Only the side that has the conversation can pass it.');
    return threadView(await changeControl(app, thread, 'pass', 'agents', 'bot', body.reason));
  });
  ctx.services.provide('takeThreadControl', async (input, caller) => {
    const { thread, body } = await botThread(app, input, caller);
    return threadView(await changeControl(app, thread, 'take', 'bot', 'bot', body.reason));
  });
  ctx.services.provide('requestThreadControl', async (input, caller) => {
    const { thread, body } = await botThread(app, input, caller);
    return threadView(await requestControl(app, thread, 'bot', 'bot', body.reason));
  });
  ctx.services.provide('thread', async (input, caller) => threadView((await botThread(app, input, caller)).thread));
  ctx.services.provide('preCheckout', async (input, caller) =>
    caller.pluginId === 'payments' ? preCheckout(app, input) : { ok: false, reason: 'payments only' },
  );
  ctx.services.provide('paymentResult', async (input, caller) =>
    caller.pluginId === 'payments' ? paymentResult(app, input) : { ok: true },
  );
}
