import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { OutboundResponse } from '../../sdk/plugin/capabilities/http.js';

/**
 * One outbound HTTP exchange, for plugins' http.fetch and the host's own requests (Web Push),
 * over keep-alive agents (a webhook sender reuses its connections instead of opening one per
 * call): each plugin's own (plugins/capabilities/outbound-pool.ts), or the host's. Redirects are
 * never followed, bodies are capped both ways, and one deadline covers connect to last byte.
 */
export const MAX_OUTBOUND_BODY_BYTES = 1_048_576;

export interface OutboundAgents {
  readonly 'http:': http.Agent;
  readonly 'https:': https.Agent;
}

/** The host's own requests' (Web Push); no plugin's request uses them. */
const hostAgents: OutboundAgents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 64 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 64 }),
};

/** A request as it goes out: already checked by whoever built it. */
export interface CheckedRequest {
  readonly url: URL;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body: Buffer | null;
  readonly timeoutMs: number;
}

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
 * With a `lookup` (public-lookup.ts, worded for the caller), a name it refuses fails too.
 */
export function sendRequest(
  req: CheckedRequest,
  lookup?: LookupFunction,
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
        ...(lookup ? { lookup } : {}),
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
