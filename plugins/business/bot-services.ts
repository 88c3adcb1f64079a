import { SwitchboardError, type ServiceCaller } from '../../sdk/index.js';
import type { BusinessApp } from './business-app.js';
import { BusinessError } from './business-error.js';
import { isObject } from './http-handling.js';
import { business } from './businesses.js';
import { changeControl, requestControl } from './handover.js';
import { paymentResult, preCheckout } from './invoices.js';
import { sendFromBusiness } from './outgoing.js';
import { threadOf, threadView, type ThreadRow } from './threads.js';

/**
 * A business error as the calling plugin receives it: a user SwitchboardError (which the host
 * passes through), `forbidden` for a refusal, `invalid_request` otherwise, with the business
 * code as `details[0].message` (path "/code").
 */
function asServiceError(err: unknown): unknown {
  if (!(err instanceof BusinessError)) return err;
  return new SwitchboardError(err.status === 403 || err.status === 401 ? 'forbidden' : 'invalid_request', err.message, { details: [{ path: '/code', message: err.code }] });
}

/** The thread named by the input, if the caller is the bot its business attached. */
async function botThread(app: BusinessApp, input: unknown, caller: ServiceCaller): Promise<{ thread: ThreadRow; body: Record<string, unknown> }> {
  if (!isObject(input)) throw new BusinessError('invalid_business_request', 'The input is an object with threadId.');
  const thread = await threadOf(app.ctx, input.threadId);
  // Read fresh, not from the per-message cache: a bot detached a moment ago must not act.
  const b = await business(app.ctx, thread.business_id);
  if (b.bot_plugin_id !== caller.pluginId) throw new BusinessError('thread_not_found');
  return { thread, body: input };
}

/**
 * What an attached bot (a trusted plugin or a sandboxed app, with services.call for these) uses:
 * `business.send`, `business.passThreadControl`, `business.takeThreadControl`,
 * `business.requestThreadControl`, `business.thread`. It hears events through its own
 * `<bot>.businessEvent` service. Also payments' callbacks for invoices.
 */
export function provideServices(app: BusinessApp): void {
  const { ctx } = app;
  const provide = (name: string, run: (input: unknown, caller: ServiceCaller) => Promise<unknown>) =>
    ctx.services.provide(name, async (input, caller) => {
      try {
        return await run(input, caller);
      } catch (err) {
        throw asServiceError(err);
      }
    });
  provide('send', async (input, caller) => {
    const { thread, body } = await botThread(app, input, caller);
    return sendFromBusiness(app, thread, body, { kind: 'bot' });
  });
  provide('passThreadControl', async (input, caller) => {
    const { thread, body } = await botThread(app, input, caller);
    if (thread.control !== 'bot') throw new BusinessError('not_thread_owner', 'Only the side that has the conversation can pass it.');
    return threadView(await changeControl(app, thread, 'pass', 'agents', 'bot', body.reason));
  });
  provide('takeThreadControl', async (input, caller) => {
    const { thread, body } = await botThread(app, input, caller);
    return threadView(await changeControl(app, thread, 'take', 'bot', 'bot', body.reason));
  });
  provide('requestThreadControl', async (input, caller) => {
    const { thread, body } = await botThread(app, input, caller);
    return threadView(await requestControl(app, thread, 'bot', 'bot', body.reason));
  });
  provide('thread', async (input, caller) => threadView((await botThread(app, input, caller)).thread));
  provide('preCheckout', async (input, caller) => (caller.pluginId === 'payments' ? preCheckout(app, input) : { ok: false, reason: 'payments only' }));
  provide('paymentResult', async (input, caller) => (caller.pluginId === 'payments' ? paymentResult(app, input) : { ok: true }));
}

