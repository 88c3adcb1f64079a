/**
 * Uploads for `npm run bench -- media-search`, over kept-alive node:http sockets (as
 * support/lean-http.ts does for JSON): an upload's body is the file itself, and the answer is
 * JSON. File fetches go through counting-get.ts.
 */
import { Agent, request } from 'node:http';

export interface UploadAnswer {
  status: number;
  body: any;
}

export function rawHttp(baseUrl: string, sockets: number) {
  const url = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: sockets });
  return {
    /** POST the bytes as they are (not JSON, not multipart), as docs/protocol.md "Attachments" asks. */
    upload(path: string, token: string, bytes: Buffer, contentType: string): Promise<UploadAnswer> {
      const headers = { authorization: `Bearer ${token}`, 'content-type': contentType, 'content-length': bytes.length };
      return new Promise((resolve, reject) => {
        const req = request({ host: url.hostname, port: url.port, path, method: 'POST', headers, agent }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            let body: unknown = text;
            try {
              body = JSON.parse(text);
            } catch {
              /* not JSON */
            }
            resolve({ status: res.statusCode ?? 0, body });
          });
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end(bytes);
      });
    },
    close(): void {
      agent.destroy();
    },
  };
}
