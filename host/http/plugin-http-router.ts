import type { IncomingMessage } from 'node:http';
import type Koa from 'koa';
import { inject, injectable } from 'tsyringe';
import { appRestarting } from '../../sdk/errors/app-restarting.js';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import { PluginError } from '../../sdk/plugin/plugin-error.js';
import type { RouteContribution } from '../../sdk/plugin/manifest.js';
import type { PluginHttpRequest, PluginHttpResponse } from '../../sdk/plugin/plugin-context.js';
import type { PublicUser } from '../../sdk/protocol/message.js';
import { bearerFrom } from '../auth/bearer.js';
import { requireAdmin } from './request-context.js';
import { TokenService } from '../auth/token-service.js';
import type { HostConfig } from '../config/host-config.js';
import { Tokens } from '../core/container-tokens.js';
import type { Database } from '../db/open-database.js';
import { callPlugin } from '../plugins/call-plugin.js';
import { PluginLogs } from '../plugins/plugin-logs.js';
import type { PluginRecord } from '../plugins/plugin-record.js';
import { PluginRegistry } from '../plugins/plugin-registry.js';
import { SIGNATURE_HEADER, ensureWebhookSecret, verifyWebhook } from '../plugins/webhook-signature.js';
import { decodeBody, parseJsonBody, readRawBody } from './json-body.js';
import { bestRoute } from './plugin-route-match.js';
import { requestState } from './request-state.js';

const PREFIX = '/plugins/';
const NO_ROUTES: readonly RouteContribution[] = [];
const ROUTE_TIMEOUT_MS = 10_000;
/**
 * Framing and hop-by-hop headers belong to the host, and so does the request id; the body is always
 * JSON. So do headers that act on the host's whole origin, not on this response: a route's cookies
 * go with every request to the host (a few large ones and the browser is refused everywhere: 431),
 * Clear-Site-Data wipes the web client's session, and HSTS and Alt-Svc steer the whole origin.
 */
const HOST_HEADERS = new Set([
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'proxy-connection',
  'content-type',
  'x-request-id',
  'set-cookie',
  'clear-site-data',
  'strict-transport-security',
  'alt-svc',
]);
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$/;
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

type RouteHandler = (request: PluginHttpRequest) => PluginHttpResponse | Promise<PluginHttpResponse>;
interface Match {
  record: PluginRecord;
  route: RouteContribution;
  /** routeKey() of the route, which log lines name it by. */
  key: string;
  handler: RouteHandler;
  path: string;
  params: Record<string, string>;
}

/**
 * Serves /plugins/<id><path> for the routes a running plugin contributed and registered. Auth is
 * checked before the plugin sees anything; the raw body is read here (with the host's size
 * limit) because signatures cover its exact bytes. Other paths pass through untouched.
 */
@injectable()
export class PluginHttpRouter {
  constructor(
    @inject(PluginRegistry) private readonly registry: PluginRegistry,
    @inject(TokenService) private readonly tokens: TokenService,
    @inject(PluginLogs) private readonly logs: PluginLogs,
    @inject(Tokens.Database) private readonly db: Database,
    @inject(Tokens.Config) private readonly config: HostConfig,
  ) {}

  /** `adminToken`: the operator's secret, for routes with auth "admin". */
  middleware(adminToken: string): Koa.Middleware {
    return async (ctx, next) => {
      if (!ctx.path.startsWith(PREFIX)) {
        await next();
        return;
      }
      await this.serve(ctx, adminToken);
    };
  }

  private async serve(ctx: Koa.Context, adminToken: string): Promise<void> {
    const match = this.match(ctx.method, ctx.path);
    if (!match) {
      const restarting = this.restartingOwner(ctx.method, ctx.path);
      if (restarting) throw appRestarting(restarting.id);
      throw new SwitchboardError('route_not_found', `No plugin route ${ctx.method} ${ctx.path}.`);
    }
    const { record, route } = match;

    let user: PublicUser | null = null;
    if (route.auth === 'user') user = await this.authenticate(ctx);
    if (route.auth === 'admin') requireAdmin(ctx, adminToken);
    const raw = await readRawBody(ctx.req, this.config.http.bodyLimitBytes);
    if (route.auth === 'signature') {
      const secret = await ensureWebhookSecret(this.db.knex, record.id);
      verifyWebhook(ctx.get(SIGNATURE_HEADER) || undefined, secret, raw);
    }
    const rawBody = decodeBody(raw, ctx.get('content-type'));
    // Every part is built afresh for this request (nothing the host keeps is shared), so the
    // plugin gets its own copy without a further clone.
    const request: PluginHttpRequest = {
      method: ctx.method,
      path: match.path,
      params: match.params,
      query: firstValues(ctx.query),
      headers: forwardedHeaders(ctx.req, route.auth),
      body: parseJsonBody(ctx.get('content-type'), rawBody),
      rawBody,
      user,
    };

    let response: Prepared;
    try {
      // The response is checked inside the call: one the host cannot send is the plugin's failure.
      response = await callPlugin(
        this.logs,
        { pluginId: record.id, kind: 'route', what: match.key, deadlineMs: ROUTE_TIMEOUT_MS, hasCaller: true },
        async () => prepareResponse(await match.handler(request)),
      );
    } catch (err) {
      // The plugin's own refusal answers with its status and body; the host's go to the error middleware.
      if (!(err instanceof PluginError)) throw err;
      const { requestId } = requestState(ctx);
      const json = JSON.stringify({
        error: { ...err.toBody().error, ...(requestId === undefined ? {} : { requestId }) },
      });
      response = { status: err.status, headers: {}, json, dropped: [] };
    }
    if (response.dropped.length > 0) {
      this.logs.loggerFor(record.id).warn('response headers ignored: the host sets them', {
        route: match.key,
        headers: response.dropped,
      });
    }
    for (const [name, value] of Object.entries(response.headers)) ctx.set(name, value);
    if (response.json === undefined) {
      ctx.body = null;
      ctx.status = response.status;
    } else {
      ctx.status = response.status;
      ctx.type = 'application/json';
      ctx.body = response.json;
    }
  }

  /** The running plugin, its contributed route and registered handler for method and path. */
  private match(method: string, fullPath: string): Match | null {
    const target = this.target(fullPath);
    const record = target.record;
    if (!record?.manifest || record.status !== 'running') return null;
    const handlers = record.handlers.routes;
    const best = bestRoute(record.manifest.contributes?.routes ?? NO_ROUTES, method, target.path, (key) =>
      handlers.has(key),
    );
    return (
      best && {
        record,
        route: best.route,
        key: best.key,
        handler: handlers.get(best.key)!,
        path: target.path,
        params: best.params,
      }
    );
  }

  /** The restarting plugin that declared the route asked for, registered or not yet. */
  private restartingOwner(method: string, fullPath: string): PluginRecord | null {
    const target = this.target(fullPath);
    const record = target.record;
    if (!record?.manifest || !record.restarting) return null;
    const declared = bestRoute(record.manifest.contributes?.routes ?? NO_ROUTES, method, target.path, () => true);
    return declared ? record : null;
  }

  private target(fullPath: string): { record: PluginRecord | undefined; path: string } {
    const rest = fullPath.slice(PREFIX.length);
    const slash = rest.indexOf('/');
    const pluginId = slash === -1 ? rest : rest.slice(0, slash);
    return { record: this.registry.get(pluginId), path: slash === -1 ? '/' : rest.slice(slash) };
  }

  private async authenticate(ctx: Koa.Context): Promise<PublicUser> {
    const { user } = await this.tokens.authenticateUser(bearerFrom(ctx.get('authorization') || undefined));
    requestState(ctx).userId = user.id;
    return user;
  }
}

function firstValues(query: Record<string, string | string[] | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(query).flatMap(([k, v]) => {
      const first = Array.isArray(v) ? v[0] : v;
      return first === undefined ? [] : [[k, first]];
    }),
  );
}

/** Lower-case names; a Switchboard bearer token is never passed on to a plugin. */
function forwardedHeaders(req: IncomingMessage, auth: RouteContribution['auth']): Record<string, string> {
  return Object.fromEntries(
    Object.entries(req.headers).flatMap(([name, value]) => {
      if (value === undefined) return [];
      const text = Array.isArray(value) ? value.join(', ') : value;
      if (name === 'authorization' && (auth === 'user' || auth === 'admin' || bearerFrom(text)?.startsWith('sb_')))
        return [];
      return [[name.toLowerCase(), text]];
    }),
  );
}

interface Prepared {
  status: number;
  headers: Record<string, string>;
  json: string | undefined;
  dropped: string[];
}

/** Checks what a handler returned; throws (and so answers 502) when it is not a valid response. */
function prepareResponse(result: unknown): Prepared {
  const response = (result ?? {}) as PluginHttpResponse;
  if (typeof response !== 'object' || Array.isArray(response))
    throw new TypeError('a route handler must return { status?, headers?, body? }');
  const json = response.body === undefined ? undefined : JSON.stringify(response.body);
  if (response.body !== undefined && json === undefined)
    throw new TypeError('the response body cannot be sent as JSON');
  const status = response.status ?? (json === undefined ? 204 : 200);
  if (!Number.isInteger(status) || status < 200 || status > 599)
    throw new TypeError(`status must be an integer from 200 to 599, got ${String(status)}`);
  const headers: Record<string, string> = {};
  const dropped: string[] = [];
  if (response.headers !== undefined) {
    if (response.headers === null || typeof response.headers !== 'object' || Array.isArray(response.headers))
      throw new TypeError('headers must be an object of strings');
    for (const [name, value] of Object.entries(response.headers)) {
      if (!HEADER_NAME.test(name)) throw new TypeError(`invalid header name ${JSON.stringify(name)}`);
      if (typeof value !== 'string' || !HEADER_VALUE.test(value))
        throw new TypeError(`header ${name} must be a string without control characters`);
      if (HOST_HEADERS.has(name.toLowerCase())) dropped.push(name.toLowerCase());
      else headers[name.toLowerCase()] = value;
    }
  }
  return { status, headers, json, dropped };
}
