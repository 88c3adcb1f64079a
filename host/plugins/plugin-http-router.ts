import type Koa from 'koa';
import { injectable } from 'tsyringe';

// STUB: serves /plugins/<id>/... routes; being implemented.
@injectable()
export class PluginHttpRouter {
  middleware(): Koa.Middleware {
    return async (_ctx, next) => next();
  }
}
