/**
 * attachment_fetch_p99_ms of `npm run bench -- media-search`: one 100 KB file (random bytes, so
 * `application/octet-stream`, stored as uploaded) is sent in a group of READERS_URLS members;
 * each member asks `GET /v1/attachments/:id` for its own signed URL, as each member's browser
 * would. Then READERS concurrent readers (kept-alive connections, no token: the URL is the
 * credential) fetch `GET /v1/files/…` in a closed loop, reader r with member r % READERS_URLS's
 * URL (counting-get.ts: raw sockets that count the bytes, so the readers' own garbage does not
 * stall them). After one warm-up fetch per reader, `count` fetches are offered at a steady rate
 * (MEDIA_BENCH_FETCH_RATE per second, spread over the readers), each timed from when it was due
 * to its last byte; every one must answer 200 with the whole file. attachment_fetch_p99_ms is
 * their p99. The same count is then fetched in a closed loop, each reader asking again as soon as
 * it has its answer: attachment_fetches_per_s, the capacity.
 *
 * Why a rate and not the closed loop's latency: with 200 readers that never pause, latency is
 * only the queue (200 / throughput, by Little's law), 48 ms even for the bare server below on
 * two cores; a p99 says something about the server only under a load it can carry.
 *
 * Reference: bare_fetch_p99_ms and bare_fetches_per_s, the same load against bare-file-server.ts,
 * a bare node:http process answering the same size from memory.
 */
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchHost, BenchUser } from '../support/bench-host.js';
import { cpuMeter } from '../support/cpu-meter.js';
import { openLoop } from '../support/open-loop.js';
import { startReferenceChild } from '../support/reference-child.js';
import { log, percentile } from '../support/util.js';
import { countingGet } from './counting-get.js';
import { rawHttp } from './raw-http.js';

export const FILE_BYTES = 100 * 1024;
export const READERS = 200;
const READERS_URLS = 10;
const here = dirname(fileURLToPath(import.meta.url));

export interface FetchFigures {
  p50: number;
  p99: number;
  /** Closed loop: as fast as the readers get answers. */
  perS: number;
}

/** The signed file URLs of one 100 KB attachment, one per member; `members[0]` uploads it. */
async function signedUrls(host: BenchHost, members: BenchUser[]): Promise<string[]> {
  const [owner, ...others] = members;
  const http = rawHttp(host.url, 1);
  const up = await http.upload(
    '/v1/attachments?name=report.bin',
    owner!.token,
    randomBytes(FILE_BYTES),
    'application/octet-stream',
  );
  http.close();
  if (up.status !== 201) throw new Error(`POST /v1/attachments → ${up.status} ${JSON.stringify(up.body)}`);
  const id = (up.body as { id: string }).id;
  const group = await host.http<{ id: string }>('POST', '/v1/conversations', owner!.token, {
    title: 'fetch',
    memberIds: others.map((u) => u.id),
  });
  if (group.status !== 201) throw new Error(`POST /v1/conversations → ${group.status} ${JSON.stringify(group.body)}`);
  const sent = await host.http('POST', `/v1/conversations/${group.body.id}/messages`, owner!.token, {
    clientMsgId: 'fetch-1',
    content: { type: 'text', text: 'the report' },
    attachmentIds: [id],
  });
  if (sent.status !== 201) throw new Error(`sending the attachment → ${sent.status} ${JSON.stringify(sent.body)}`);
  return Promise.all(
    members.map(async (m) => {
      const view = await host.http<{ url: string; size: number }>('GET', `/v1/attachments/${id}`, m.token);
      if (view.status !== 200 || view.body.size !== FILE_BYTES)
        throw new Error(`GET /v1/attachments/${id} → ${view.status} ${JSON.stringify(view.body)}`);
      return view.body.url;
    }),
  );
}

/** One fetch that must answer 200 with the whole file; counts the ones that did not. */
function fetcher(http: ReturnType<typeof countingGet>, phase: string) {
  const state = { bad: 0 };
  const fetchOne = async (url: string) => {
    const res = await http.fetch(url);
    if (res.status !== 200 || res.bytes !== FILE_BYTES) {
      if (state.bad++ < 3) log(`${phase}: ${url.slice(0, 60)}… → ${res.status}, ${res.bytes} bytes`);
    }
  };
  const check = () => {
    if (state.bad) throw new Error(`${state.bad} fetches did not answer 200 with ${FILE_BYTES} bytes`);
  };
  return { fetchOne, check };
}

/**
 * The figures of one server: after a warm-up fetch per reader, `count` fetches offered at `rate`
 * per second (support/open-loop.ts), then `count` fetches in a closed loop for the throughput.
 */
async function readLoad(
  baseUrl: string,
  urls: string[],
  load: { count: number; rate: number },
  phase: string,
  pid: number,
): Promise<FetchFigures> {
  const http = countingGet(baseUrl, READERS);
  const { fetchOne, check } = fetcher(http, phase);
  const urlOf = (i: number) => urls[(i % READERS) % urls.length]!;
  try {
    await Promise.all(Array.from({ length: READERS }, (_, r) => fetchOne(urlOf(r))));
    const meter = cpuMeter(pid, phase);
    const latencies = await openLoop(load.count, load.rate, (i) => fetchOne(urlOf(i)));
    log(`${phase}: at ${load.rate}/s, during the measured window: ${meter()}`);
    check();
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    log(
      `${phase}: ${load.count} fetches offered at ${load.rate}/s; p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms`,
    );

    let next = 0;
    const closedStart = performance.now();
    await Promise.all(
      Array.from({ length: READERS }, async (_, r) => {
        while (next++ < load.count) await fetchOne(urlOf(r));
      }),
    );
    check();
    const perS = load.count / ((performance.now() - closedStart) / 1000);
    log(`${phase}: closed loop, ${READERS} readers: ${perS.toFixed(0)} fetches/s`);
    return { p50, p99, perS };
  } finally {
    http.close();
  }
}

export async function fetchPhase(
  host: BenchHost,
  members: BenchUser[],
  load: { count: number; rate: number },
): Promise<FetchFigures> {
  const urls = await signedUrls(host, members.slice(0, READERS_URLS));
  log(`fetch: ${READERS} readers, ${load.count} fetches of ${FILE_BYTES / 1024} KB over ${urls.length} signed URLs`);
  return readLoad(host.url, urls, load, 'fetch', host.child.pid);
}

export async function bareFetchReference(load: { count: number; rate: number }): Promise<FetchFigures> {
  const server = await startReferenceChild(join(here, 'bare-file-server.ts'), [String(FILE_BYTES)], 'bare file server');
  try {
    return await readLoad(`http://127.0.0.1:${server.port}`, ['/file'], load, 'bare fetch', server.child.pid!);
  } finally {
    server.stop();
  }
}
