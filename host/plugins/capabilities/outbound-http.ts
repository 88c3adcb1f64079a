import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { SwitchboardError } from '../../../sdk/errors/switchboard-error.js';
import type { OutboundRequest, OutboundResponse } from '../../../sdk/plugin/plugin-context.js';
import { isNonPublicAddress } from '../../outbound/address-ranges.js';
import { parsePattern, patternAdmits, type HostPattern } from '../../outbound/host-patterns.js';
import { publicLookup } from '../../outbound/public-lookup.js';

/**
 * Outbound HTTP for plugins (http.fetch): checking a request, matching its URL against the
 * scope's host patterns, and one exchange over keep-alive agents (a webhook sender reuses its
 * connections instead of opening one per call): each plugin's own (outbound-pool.ts), or the
 * host's for its own requests (Web Push). Redirects are never followed, bodies are capped both
 * ways, and one deadline covers connect to last byte.
 */
export const MAX_OUTBOUND_BODY_BYTES = 1_048_576;
const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_TIMEOUT_MS = 30_000;
const METHODS: ReadonlySet<string> = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
const REQUEST_KEYS: ReadonlySet<string> = new Set(['method', 'headers', 'body', 'timeoutMs']);
const HOST_ONLY_HEADERS: ReadonlySet<string> = new Set(['host', 'content-length', 'transfer-encoding', 'connection']);
const USER_AGENT = `Switchboard/${(JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version}`;

export interface OutboundAgents {
  readonly 'http:': http.Agent;
  readonly 'https:': https.Agent;
}

/** The host's own requests' (Web Push); no plugin's request uses them. */
const hostAgents: OutboundAgents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 64 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 64 }),
};

export interface CheckedRequest {
  readonly url: URL;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body: Buffer | null;
  readonly timeoutMs: number;
}

function invalid(message: string): never {
  throw new SwitchboardError('invalid_request', message);
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

/** The URL and request as the host will send them, or invalid_request saying what is wrong. */
export function checkRequest(rawUrl: unknown, request: unknown): CheckedRequest {
  if (typeof rawUrl !== 'string' || rawUrl.length > 8192)
    invalid('The URL must be a string of at most 8192 characters.');
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    // URL's TypeError says only "Invalid URL"; the plugin gets invalid_request naming the URL instead.
    return invalid(`"${rawUrl.slice(0, 100)}" is not a valid absolute URL.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    invalid(`Only http: and https: URLs can be fetched, not ${url.protocol}.`);
  if (url.username || url.password)
    invalid('The URL may not carry credentials; send them in a header (authorization).');
  if (request === undefined) request = {};
  if (!isPlainObject(request))
    return invalid('The request must be an object { method?, headers?, body?, timeoutMs? }.');
  for (const key of Object.keys(request))
    if (!REQUEST_KEYS.has(key))
      invalid(`Unknown request field "${key.slice(0, 64)}"; the fields are method, headers, body and timeoutMs.`);
  const { method = 'GET', headers = {}, body, timeoutMs = DEFAULT_TIMEOUT_MS } = request as OutboundRequest;
  if (typeof method !== 'string' || !METHODS.has(method))
    invalid(`The method must be one of ${[...METHODS].join(', ')}.`);
  if (typeof timeoutMs !== 'number' || !Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_TIMEOUT_MS) {
    invalid(`timeoutMs must be an integer from 1 to ${MAX_TIMEOUT_MS}.`);
  }
  let bytes: Buffer | null = null;
  if (body !== undefined) {
    if (typeof body !== 'string') invalid('The body must be a string (JSON.stringify an object first).');
    if (body.length > MAX_OUTBOUND_BODY_BYTES || Buffer.byteLength(body) > MAX_OUTBOUND_BODY_BYTES)
      invalid(`The body is over ${MAX_OUTBOUND_BODY_BYTES} bytes (1 MiB).`);
    bytes = Buffer.from(body, 'utf8');
  }
  return { url, method, headers: checkHeaders(headers, bytes), body: bytes, timeoutMs };
}

function checkHeaders(headers: unknown, body: Buffer | null): Record<string, string> {
  if (!isPlainObject(headers)) return invalid('headers must be an object of header names to string values.');
  const checked: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (typeof value !== 'string') invalid(`The header "${name.slice(0, 64)}" must have a string value.`);
    try {
      http.validateHeaderName(name);
      http.validateHeaderValue(name, value);
    } catch {
      // Node's ERR_INVALID_HTTP_TOKEN / ERR_INVALID_CHAR become invalid_request, which names the header.
      invalid(`"${name.slice(0, 64)}" is not a valid header name, or its value has characters a header cannot carry.`);
    }
    if (HOST_ONLY_HEADERS.has(lower)) invalid(`The header "${lower}" is set by the host; plugins may not set it.`);
    if (Object.prototype.hasOwnProperty.call(checked, lower)) invalid(`The header "${lower}" is given twice.`);
    checked[lower] = value;
  }
  checked['user-agent'] ??= USER_AGENT;
  if (body) checked['content-length'] = String(body.length);
  return checked;
}

const compiled = new WeakMap<readonly unknown[], HostPattern[]>();

function patternsOf(hosts: unknown[]): HostPattern[] {
  let patterns = compiled.get(hosts);
  if (!patterns) {
    patterns = hosts.filter((h): h is string => typeof h === 'string' && h.length > 0).map(parsePattern);
    compiled.set(hosts, patterns);
  }
  return patterns;
}

/**
 * How the scope admits the URL: not at all; by a wildcard ("*", "*.example.com"), which never
 * reaches a private address; or by naming its host, which may.
 */
export function hostAdmission(hosts: unknown, url: URL): 'denied' | 'wildcard' | 'named' {
  if (!Array.isArray(hosts)) return 'denied';
  const hostname = url.hostname;
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const matching = patternsOf(hosts).filter((p) => patternAdmits(p, hostname, port));
  if (matching.length === 0) return 'denied';
  return matching.some((p) => p.host === hostname) ? 'named' : 'wildcard';
}

/** Whether the URL's host (and port, where a pattern names one) matches one of the scope's patterns. */
export function hostAllowed(hosts: unknown, url: URL): boolean {
  return hostAdmission(hosts, url) !== 'denied';
}

/**
 * Whether an IP address (v4, v6, in brackets or not) is one a wildcard pattern must not reach:
 * anything but a public address, by the ranges of address-ranges.ts (IPv6 forms that embed an
 * IPv4 address, NAT64 and 6to4 included, are judged by it). A host name is not an address: false.
 */
export function isPrivateAddress(address: string): boolean {
  return isNonPublicAddress(address);
}

/** dns.lookup that refuses private addresses, so a name cannot lead a wildcard scope inside (DNS rebinding included). */
const wildcardLookup = publicLookup(
  (hostname, address, range) =>
    `${hostname} resolves to the private address ${address} (${range}), which a wildcard pattern does not reach; name the host in scope.hosts`,
);

/** outbound_http_failed for the request, naming its host and the cause. */
export function exchangeFailed(req: CheckedRequest, cause: string): SwitchboardError {
  return new SwitchboardError(
    'outbound_http_failed',
    `${req.method} ${req.url.protocol}//${req.url.host} failed: ${cause}.`,
  );
}

/**
 * One exchange, over `agents`, within `timeoutMs` (what is left of the request's own, which the
 * failure names). Network failures, the deadline and an oversize answer are outbound_http_failed.
 * Without `privateAllowed` (a wildcard admitted the host), a name that resolves to a private
 * address fails too.
 */
export function sendRequest(
  req: CheckedRequest,
  privateAllowed = true,
  agents: OutboundAgents = hostAgents,
  timeoutMs = req.timeoutMs,
): Promise<OutboundResponse> {
  const { url } = req;
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (cause: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(exchangeFailed(req, cause));
      outgoing.destroy();
    };
    const outgoing = (url.protocol === 'https:' ? https : http).request(
      url,
      {
        method: req.method,
        headers: req.headers,
        agent: agents[url.protocol as 'http:' | 'https:'],
        ...(privateAllowed ? {} : { lookup: wildcardLookup }),
      },
      (res) => {
        const declared = Number(res.headers['content-length']);
        if (declared > MAX_OUTBOUND_BODY_BYTES)
          return fail(`the response body is ${declared} bytes, over the 1 MiB limit`);
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_OUTBOUND_BODY_BYTES) fail('the response body is over the 1 MiB limit');
          else chunks.push(chunk);
        });
        res.on('end', () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined)
              Object.defineProperty(headers, name, {
                value: Array.isArray(value) ? value.join(', ') : value,
                enumerable: true,
                writable: true,
                configurable: true,
              });
          }
          resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks, size).toString('utf8') });
        });
        res.on('error', (err) => fail(causeOf(err)));
        res.on('close', () => {
          if (!res.complete) fail('the connection closed before the response ended');
        });
      },
    );
    const timer = setTimeout(() => fail(`no complete response within ${req.timeoutMs} ms`), timeoutMs);
    outgoing.on('error', (err) => fail(causeOf(err)));
    outgoing.end(req.body ?? undefined);
  });
}

function causeOf(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  const message = typeof e?.message === 'string' ? e.message.slice(0, 300) : String(err).slice(0, 300);
  return typeof e?.code === 'string' && !message.includes(e.code) ? `${message} (${e.code})` : message;
}
