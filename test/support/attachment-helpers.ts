/** Uploads, file URLs and a clock the attachment suites move instead of waiting. */
import type { Knex } from 'knex';
import type { Clock } from '../../host/core/clock.js';
import type { HostOptions } from '../../host/host.js';
import { defaultBlobStore } from '../../host/attachments/default-blob-store.js';
import type { HttpResult, TestHost, TestUser } from './start-test-host.js';
import { openDirect } from './test-database.js';

/** Uploads `bytes` as `name` (with a Content-Type only when given); the answer as the host gave it. */
export async function upload(
  host: Pick<TestHost, 'url'>,
  user: TestUser | null,
  bytes: Buffer | string,
  name: string,
  type?: string,
): Promise<HttpResult> {
  const headers: Record<string, string> = {};
  if (user) headers.authorization = `Bearer ${user.token}`;
  if (type !== undefined) headers['content-type'] = type;
  const res = await fetch(`${host.url}/v1/attachments?name=${encodeURIComponent(name)}`, {
    method: 'POST',
    headers,
    body: typeof bytes === 'string' ? Buffer.from(bytes) : bytes,
  });
  return { status: res.status, body: (await res.json()) as any, headers: res.headers };
}

/**
 * Uploads files and sends them in one message without a caption, over HTTP as `user` (a reply in
 * the thread of `threadRootId` when given): the message's id and the files' ids, in order.
 */
export async function sendFiles(
  host: TestHost,
  user: TestUser,
  conversationId: string,
  files: { name: string; bytes: Buffer | string; type: string }[],
  threadRootId?: string,
): Promise<{ messageId: string; attachmentIds: string[] }> {
  const ids: string[] = [];
  for (const file of files) {
    const res = await upload(host, user, file.bytes, file.name, file.type);
    if (res.status !== 201) throw new Error(`upload failed: ${res.status} ${JSON.stringify(res.body)}`);
    ids.push(res.body.id);
  }
  const sent = await host.http('POST', `/v1/conversations/${conversationId}/messages`, {
    token: user.token,
    body: { clientMsgId: `files-${ids[0]}`, content: { type: 'text', text: '' }, attachmentIds: ids, threadRootId },
  });
  if (sent.status !== 201) throw new Error(`send failed: ${sent.status} ${JSON.stringify(sent.body)}`);
  return { messageId: sent.body.message.id, attachmentIds: ids };
}

/**
 * Looks at the test database directly. An SQLite host holds its file exclusively, so the host is
 * stopped first: call it last in a test.
 */
export async function inspectDatabase<T>(host: TestHost, look: (db: Knex) => Promise<T>): Promise<T> {
  await host.stopHostOnly();
  const db = openDirect(host.database);
  try {
    return await look(db);
  } finally {
    await db.destroy();
  }
}

/**
 * The default blob store, with every hash it was asked to store or delete recorded. `afterPut`
 * runs once a put is done and may hold the caller there (to widen a race on purpose).
 */
export function recordingBlobStore(afterPut: (hash: string) => Promise<void> | undefined = () => undefined): {
  factory: NonNullable<HostOptions['blobStore']>;
  puts: string[];
  deletes: string[];
} {
  const puts: string[] = [];
  const deletes: string[] = [];
  return {
    puts,
    deletes,
    factory: (db, config) => {
      const store = defaultBlobStore(db, config);
      return {
        put: async (hash, bytes) => {
          puts.push(hash);
          await store.put(hash, bytes);
          await afterPut(hash);
        },
        read: (hash) => store.read(hash),
        readRange: (hash, start, end) => store.readRange(hash, start, end),
        stat: (hash) => store.stat(hash),
        delete: (hash) => (deletes.push(hash), store.delete(hash)),
      };
    },
  };
}

/** Uploads and expects 201; resolves with the attachment. */
export async function uploaded(host: TestHost, user: TestUser, bytes: Buffer | string, name: string): Promise<any> {
  const res = await upload(host, user, bytes, name);
  if (res.status !== 201) throw new Error(`upload failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Fetches a file URL (relative to the host) with no Authorization header. */
export async function fetchFile(
  host: TestHost,
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; bytes: Buffer; json: any }> {
  const res = await fetch(`${host.url}${url}`, { headers });
  const bytes = Buffer.from(await res.arrayBuffer());
  let json: any = null;
  if ((res.headers.get('content-type') ?? '').startsWith('application/json')) json = JSON.parse(bytes.toString());
  return { status: res.status, headers: res.headers, bytes, json };
}

/** The host's clock, moved forward by `advance` rather than by waiting. */
export function movableClock(): Clock & { advance(ms: number): void } {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    advance(ms: number) {
      offset += ms;
    },
  };
}

/** Bytes no sniffer recognises and that are not text: stored as application/octet-stream. */
export function binaryBytes(size: number, seed = 1): Buffer {
  const bytes = Buffer.alloc(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    bytes[i] = x & 0xff;
  }
  // A NUL up front: never valid text, and no magic number starts with it and this byte.
  bytes[0] = 0;
  bytes[1] = 0xfe;
  return bytes;
}
