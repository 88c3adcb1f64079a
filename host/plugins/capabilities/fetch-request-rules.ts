import http from 'node:http';
import { readFileSync } from 'node:fs';
import { SwitchboardError } from '../../../sdk/errors/switchboard-error.js';
import type { OutboundRequest } from '../../../sdk/plugin/plugin-context.js';
import { parsePattern, patternAdmits, type HostPattern } from '../../outbound/host-patterns.js';
import { MAX_OUTBOUND_BODY_BYTES, type CheckedRequest } from '../../outbound/outbound-exchange.js';
import { publicLookup } from '../../outbound/public-lookup.js';

/**
 * What a plugin may send with http.fetch: checking its request, and matching the URL against the
 * scope's host patterns. The exchange itself is the host's (outbound/outbound-exchange.ts).
 */
const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_TIMEOUT_MS = 30_000;
const METHODS: ReadonlySet<string> = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
const REQUEST_KEYS: ReadonlySet<string> = new Set(['method', 'headers', 'body', 'timeoutMs']);
const HOST_ONLY_HEADERS: ReadonlySet<string> = new Set(['host', 'content-length', 'transfer-encoding', 'connection']);
const USER_AGENT = `Switchboard/${(JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version}`;

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

/** dns.lookup that refuses private addresses, so a name cannot lead a wildcard scope inside (DNS rebinding included). */
export const wildcardLookup = publicLookup(
  (hostname, address, range) =>
    `${hostname} resolves to the private address ${address} (${range}), which a wildcard pattern does not reach; name the host in scope.hosts`,
);
