/** The http capability: routes the host serves for the plugin, and outbound requests. Part of PluginContext (../plugin-context.ts). */
import type { PublicUser } from '../../protocol/message.js';

export interface PluginHttpRequest {
  readonly method: string;
  /** Below /plugins/<id>, e.g. "/orders/42". */
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  /** Parsed JSON, or null when the body is empty or not JSON. */
  readonly body: unknown;
  readonly rawBody: string;
  /** The caller, for routes with auth "user"; null otherwise. */
  readonly user: PublicUser | null;
}

export interface PluginHttpResponse {
  status?: number;
  headers?: Record<string, string>;
  /** Sent as JSON. */
  body?: unknown;
}

/**
 * permission http.routes, for the routes the manifest contributes, served at
 * /plugins/<id><path>. Auth is enforced by the host before the handler runs: "user" needs a
 * Switchboard bearer token; "signature" needs the header
 * X-Switchboard-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with the
 * plugin's webhook secret>, at most 5 minutes old.
 */
export interface HttpCapability {
  route(
    method: PluginHttpRequest['method'],
    path: string,
    handler: (request: PluginHttpRequest) => PluginHttpResponse | Promise<PluginHttpResponse>,
  ): void;
  /**
   * The plugin's webhook secret, created on first use and kept across restarts and upgrades; an
   * uninstall with purge deletes it, so the senders need the new one issued afterwards.
   */
  webhookSecret(): Promise<string>;
  /** permission http.outbound, for URLs whose host matches scope.hosts. Redirects are not followed. */
  fetch(url: string, request?: OutboundRequest): Promise<OutboundResponse>;
}

/** An outbound HTTP request (http.fetch): only http: and https: URLs. */
export interface OutboundRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'; // default GET
  /** Not host, content-length, transfer-encoding or connection; user-agent defaults to Switchboard/<version>. */
  headers?: Record<string, string>;
  /** Sent as is (UTF-8); at most 1 MiB. */
  body?: string;
  /** 1..30000, default 10000: the whole exchange, connect to last byte. */
  timeoutMs?: number;
}

/** Any status (a 3xx is returned, not followed); the body is at most 1 MiB, decoded as UTF-8. */
export interface OutboundResponse {
  status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: string;
}
