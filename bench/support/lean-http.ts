/**
 * A lean HTTP client for load generation: node:http over kept-alive sockets, JSON in and out,
 * no per-request timers or abort signals. fetch (undici) costs the benchmark's own process
 * noticeably more CPU per request, and on a 2-core machine that CPU is taken from the host.
 */
import { Agent, request } from 'node:http';

export interface LeanAnswer {
  status: number;
  body: any;
}

export function leanHttp(baseUrl: string, sockets: number) {
  const url = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: sockets });
  return (method: string, path: string, token: string | null, body?: unknown): Promise<LeanAnswer> =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? null : Buffer.from(JSON.stringify(body));
      const headers: Record<string, string | number> = {};
      if (token) headers.authorization = `Bearer ${token}`;
      if (payload) {
        headers['content-type'] = 'application/json';
        headers['content-length'] = payload.length;
      }
      const req = request({ host: url.hostname, port: url.port, path, method, headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          let parsed: unknown = text;
          try {
            parsed = text ? JSON.parse(text) : null;
          } catch {
            /* not JSON */
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(payload ?? undefined);
    });
}
