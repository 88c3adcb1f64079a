import type Koa from 'koa';

/** What the request log knows about a request, filled in as it passes through the middleware. */
export interface RequestState {
  requestId?: string;
  /** The authenticated user, once a route has checked the bearer token. */
  userId?: string;
}

/** Koa's `ctx.state` is untyped; every reader and writer goes through this one view of it. */
export function requestState(ctx: Koa.Context): RequestState {
  return ctx.state;
}
