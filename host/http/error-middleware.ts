import type Koa from 'koa';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import { PluginError } from '../../sdk/plugin/plugin-error.js';
import type { Logger } from '../logging/logger.js';
import { asSystemError } from '../db/database-errors.js';

/** Every failure leaves as {"error":{code,message}} with the status of its catalog code. */
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
      if (err instanceof PluginError) {
        // A plugin's own refusal of a command or tap (callPlugin): its status and body, as it threw them.
        ctx.status = err.status;
        ctx.body = err.toBody();
        return;
      }
      const error = toSwitchboardError(err);
      if (error.kind === 'system') log.error({ err, method: ctx.method, path: ctx.path }, 'request failed');
      ctx.status = error.status;
      ctx.body = { error: error.toBody() };
      if (error.retryAfterMs !== undefined) ctx.set('Retry-After', String(Math.ceil(error.retryAfterMs / 1000)));
    }
  };
}

function toSwitchboardError(err: unknown): SwitchboardError {
  return err instanceof SwitchboardError ? err : asSystemError(err);
}
