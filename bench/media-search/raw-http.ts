/**
 * Binary HTTP for `npm run bench -- media-search`, over kept-alive node:http sockets (as
 * support/lean-http.ts does for JSON): an upload's body is the file itself, and a file fetch
 * only counts the bytes it gets.
 */
import { Agent, request } from 'node:http';

export interface UploadAnswer {
  status: number;
  body: any;
}

export interface FetchAnswer {
  status: number;
  bytes: number;
}

export function rawHttp(baseUrl: string, sockets: number) {
  const url = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: sockets });
  const send = <T>(
    method: string,
    path: string,
    headers: Record<string, string | number>,
    body: Buffer | null,
    read: (status: number, chunks: Buffer[], bytes: number) => T,
  ): Promise<T> =>
    new Promise((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, path, method, headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        let bytes = 0;
        res.on('data', (c: Buffer) => {
          bytes += c.length;
          if (res.statusCode !== 200 || method !== 'GET') chunks.push(c);
        });
        res.on('end', () => resolve(read(res.statusCode ?? 0, chunks, bytes)));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body ?? undefined);
    });

  return {
    /** POST the bytes as they are (not JSON, not multipart), as docs/protocol.md "Attachments" asks. */
    upload(path: string, token: string, bytes: Buffer, contentType: string): Promise<UploadAnswer> {
      const headers = { authorization: `Bearer ${token}`, 'content-type': contentType, 'content-length': bytes.length };
      return send('POST', path, headers, bytes, (status, chunks) => {
        const text = Buffer.concat(chunks).toString();
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          /* not JSON */
        }
        return { status, body };
      });
    },
    /** GET without a token (a signed file URL is its own credential); the body is counted, not kept. */
    fetch(path: string): Promise<FetchAnswer> {
      return send('GET', path, {}, null, (status, _chunks, bytes) => ({ status, bytes }));
    },
    close(): void {
      agent.destroy();
    },
  };
}
