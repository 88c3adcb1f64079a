import type Koa from 'koa';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import { PluginError } from '../../sdk/plugin/plugin-error.js';
import type { Logger } from '../logging/logger.js';
import { asSystemError } from '../db/database-errors.js';
import type { ErrorCode } from '../../sdk/errors/error-catalog.js';
import { requestState } from './request-state.js';

/**
 * A host starting, stopping or cut off from its database or bus answers these while it lasts (a load
 * balancer's probe every few seconds included): states the health route reports once, not failures.
 * So is a web client not built yet, which the web client route reports once.
 */
// Answers about the host's or another site's state, not failures of the host: no error line each
// (a page without a preview is common, and any user could fill the log with them).
const EXPECTED_STATES: ReadonlySet<ErrorCode> = new Set([
  'not_ready',
  'shutting_down',
  'web_client_not_built',
  'link_preview_unavailable',
]);

/** Every failure leaves as {"error":{code,message,requestId}} with the status of its catalog code. */
export function errorMiddleware(log: Logger): Koa.Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.body === undefined) {
        // The routers' allowedMethods() set 405 (or 501 for a method no route uses) and Allow, but no body.
        const allow = ctx.response.get('Allow');
        if ((ctx.status === 405 || ctx.status === 501) && allow) {
          throw new SwitchboardError(
            'method_not_allowed',
            `${ctx.path} does not answer ${ctx.method.slice(0, 32)}; it answers ${allow}.`,
          );
        }
        if (ctx.status === 404 || ctx.status === 405 || ctx.status === 501) {
          ctx.remove('Allow');
          throw new SwitchboardError('route_not_found', `No endpoint ${ctx.method.slice(0, 32)} ${ctx.path}.`);
        }
      }
    } catch (err) {
      const { requestId, userId } = requestState(ctx);
      const tagged = requestId === undefined ? {} : { requestId };
      if (err instanceof PluginError) {
        // A plugin's own refusal of a command or tap (callPlugin): its status and body, as it threw them.
        ctx.status = err.status;
        ctx.body = { error: { ...err.toBody().error, ...tagged } };
        return;
      }
      const error = toSwitchboardError(err);
      // With the request id a user quotes from the error body, an operator finds this line.
      if (error.kind === 'system' && !EXPECTED_STATES.has(error.code))
        log.error({ err, requestId, userId, method: ctx.method.slice(0, 32), path: ctx.path }, 'request failed');
      ctx.status = error.status;
      ctx.body = { error: { ...error.toBody(), ...tagged } };
      if (error.retryAfterMs !== undefined) ctx.set('Retry-After', String(Math.ceil(error.retryAfterMs / 1000)));
    }
  };
}

function toSwitchboardError(err: unknown): SwitchboardError {
  return err instanceof SwitchboardError ? err : asSystemError(err);
}
