/** Uploads sent as a stream (no Content-Length), and what a cut or streamed upload left behind. */
import { readdir } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import type { TestHost, TestUser } from './start-test-host.js';
import { openDirect } from './test-database.js';

/**
 * Uploads `chunks` as a body without a Content-Length, each piece sent as the host asks for it;
 * null when the host closed the connection before its answer reached the client.
 */
export async function streamUpload(
  host: Pick<TestHost, 'url'>,
  user: TestUser,
  chunks: Iterable<Buffer>,
  name = 'streamed.bin',
): Promise<{ status: number; body: any } | null> {
  const pieces = chunks[Symbol.iterator]();
  return fetch(`${host.url}/v1/attachments?name=${encodeURIComponent(name)}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${user.token}` },
    body: new ReadableStream({
      pull(controller) {
        const next = pieces.next();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      },
    }),
    duplex: 'half',
  }).then(
    async (r) => ({ status: r.status, body: (await r.json()) as any }),
    () => null,
  );
}

/**
 * What uploads in progress hold aside while the host runs: the files in the attachments
 * directory's tmp/ (SQLite), or the staged blob_chunks rows, whose keys start with `s` (PostgreSQL).
 */
export async function stagedBytes(host: TestHost): Promise<number> {
  if (host.database.url.startsWith('sqlite:'))
    // No tmp/ yet: nothing was ever staged.
    return (await readdir(join(host.config.attachments.dir!, 'tmp')).catch(() => [])).length;
  const db = openDirect(host.database);
  try {
    const row = await db('blob_chunks').where('hash', 'like', 's%').count({ n: '*' }).first<{ n: string | number }>();
    return Number(row.n);
  } finally {
    await db.destroy();
  }
}

/**
 * Starts an upload on a raw socket announcing `declared` bytes and sends only `sent`: the socket
 * stays open (the upload in progress) until the test destroys it (the client gone midway).
 */
export async function startCutUpload(
  host: Pick<TestHost, 'url'>,
  user: TestUser,
  declared: number,
  sent: Buffer,
): Promise<Socket> {
  const { port } = new URL(host.url);
  const socket = connect(Number(port), '127.0.0.1');
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(
    `POST /v1/attachments?name=cut.bin HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${user.token}\r\n` +
      `Content-Length: ${declared}\r\n\r\n`,
  );
  socket.write(sent);
  return socket;
}
