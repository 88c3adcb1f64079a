import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { isNonPublicAddress } from '../outbound/address-ranges.js';
import { patternAdmits, type HostPattern } from '../outbound/host-patterns.js';
import { NON_PUBLIC_ADDRESS, publicLookup } from '../outbound/public-lookup.js';
import { unavailable } from './preview-unavailable.js';

/** What may be fetched for a preview, and how much of it. */
export interface FetchRules {
  /** Hosts the operator admits although they are on non-public addresses (linkPreviews.allowHosts). */
  readonly allowHosts: readonly HostPattern[];
  /** One deadline for the whole fetch, redirects included: connect to last byte. */
  readonly timeoutMs: number;
  readonly maxRedirects: number;
  readonly maxBytes: number;
  /** Past maxBytes: `cut` keeps what was read (a page's head is at its start), `refuse` fails. */
  readonly overflow: 'cut' | 'refuse';
  readonly accept: string;
  /** Whether an answer of this media type (lower case, no parameters) is wanted. */
  readonly takes: (mediaType: string) => boolean;
  /** How the refusal of another type words what was wanted ("an HTML page"). */
  readonly wanted: string;
}

/** The answer that is read: where it ended up after redirects, its type and declared charset. */
export interface ResponseHead {
  readonly url: URL;
  readonly mediaType: string;
  readonly charset: string | null;
}

/** Takes the body's bytes as they come; true when it has what it needs (the rest is not read). */
export type BodyReader = (chunk: Buffer) => boolean;

const USER_AGENT = 'Mozilla/5.0 (compatible; Switchboard link preview)';
const REDIRECTS: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

// Pages are fetched once per URL and kept, so connections to arbitrary sites are not kept open.
// At most 16 to one site and 64 in all: more requests wait their turn, within their deadline.
const agents = {
  'http:': new http.Agent({ keepAlive: false, maxSockets: 16, maxTotalSockets: 64 }),
  'https:': new https.Agent({ keepAlive: false, maxSockets: 16, maxTotalSockets: 64 }),
};

// The address is not named: a signed-in user must not map the host's network through previews.
const lookup = publicLookup((hostname) => `${hostname} resolves to a non-public address`);

/**
 * GET `start`, following at most `rules.maxRedirects` redirects, each checked like the first:
 * http(s) only, no credentials, and unless the operator admits the host by name, no non-public
 * address (an IP literal judged here, a name when it is resolved, at connect time). Only a 2xx
 * answer of a wanted type is read, through `read(head)`, decompressed, and never past
 * `rules.maxBytes`. Every failure is `link_preview_unavailable`.
 */
export async function fetchResource(
  start: URL,
  rules: FetchRules,
  read: (head: ResponseHead) => BodyReader,
): Promise<{ head: ResponseHead; cut: boolean }> {
  const until = Date.now() + rules.timeoutMs;
  let url = start;
  for (let hop = 0; ; hop++) {
    const answer = await exchange(url, rules, until, read);
    if ('head' in answer) return answer;
    if (hop >= rules.maxRedirects) throw unavailable(`it redirects more than ${rules.maxRedirects} times`);
    try {
      url = new URL(answer.location, url);
    } catch {
      // The Location header is the site's text; one that is not a URL ends the fetch, not the host.
      throw unavailable('it redirects to something that is not a URL');
    }
  }
}

function exchange(
  url: URL,
  rules: FetchRules,
  until: number,
  read: (head: ResponseHead) => BodyReader,
): Promise<{ location: string } | { head: ResponseHead; cut: boolean }> {
  checkTarget(url, rules.allowHosts);
  const admitted = isAdmitted(url, rules.allowHosts);
  return new Promise((resolve, reject) => {
    let settled = false;
    let body: Readable | null = null;
    const finish = (outcome: { location: string } | { head: ResponseHead; cut: boolean } | Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outgoing.destroy();
      body?.destroy();
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    const outgoing = (url.protocol === 'https:' ? https : http).get(
      url,
      {
        headers: { 'user-agent': USER_AGENT, accept: rules.accept, 'accept-encoding': 'gzip, deflate, br' },
        agent: agents[url.protocol as 'http:' | 'https:'],
        ...(admitted ? {} : { lookup }),
      },
      (res) => {
        const status = res.statusCode ?? 0;
        const location = res.headers.location;
        if (REDIRECTS.has(status) && location) return finish({ location });
        if (status < 200 || status > 299) return finish(unavailable(`the site answered HTTP ${status}`));
        const [type = '', ...params] = (res.headers['content-type'] ?? '').split(';');
        const mediaType = type.trim().toLowerCase();
        if (!rules.takes(mediaType))
          return finish(
            unavailable(
              `it is ${mediaType ? `of type ${mediaType.slice(0, 100)}` : 'of no stated type'}, not ${rules.wanted}`,
            ),
          );
        const declared = Number(res.headers['content-length']);
        if (rules.overflow === 'refuse' && declared > rules.maxBytes) return finish(tooLarge(rules.maxBytes));
        const charset = params.map((p) => /^\s*charset\s*=\s*"?([^";\s]+)/i.exec(p)?.[1]).find(Boolean) ?? null;
        const head: ResponseHead = { url, mediaType, charset: charset?.toLowerCase() ?? null };
        body = decoded(res, res.headers['content-encoding']);
        if (!body) return finish(unavailable('the site sent it in an encoding the host does not read'));
        const reader = read(head);
        let size = 0;
        body.on('data', (chunk: Buffer) => {
          if (settled) return;
          const room = rules.maxBytes - size;
          size += chunk.length;
          if (size > rules.maxBytes) {
            if (rules.overflow === 'refuse') return finish(tooLarge(rules.maxBytes));
            reader(chunk.subarray(0, room));
            return finish({ head, cut: true });
          }
          if (reader(chunk)) finish({ head, cut: true });
        });
        body.on('end', () => finish({ head, cut: false }));
        body.on('error', () => finish(unavailable('its answer broke off or could not be decompressed')));
        res.on('error', () => finish(unavailable('its answer broke off')));
      },
    );
    const timer = setTimeout(
      () => finish(unavailable(`the site did not answer within ${rules.timeoutMs / 1000} s`)),
      Math.max(0, until - Date.now()),
    );
    outgoing.on('error', (err: NodeJS.ErrnoException) =>
      finish(
        unavailable(
          err.code === NON_PUBLIC_ADDRESS ? "the page's address is not public" : 'the site could not be reached',
        ),
      ),
    );
  });
}

function tooLarge(maxBytes: number): Error {
  return unavailable(`it is over ${Math.round((maxBytes / 1_048_576) * 10) / 10} MiB`);
}

/** http(s) only, no credentials, no IP literal outside the public internet unless admitted. */
function checkTarget(url: URL, allowHosts: readonly HostPattern[]): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw unavailable('it leads to an address that is not http(s)');
  if (url.username || url.password) throw unavailable('it leads to an address with credentials');
  // Node connects to an IP literal without a lookup: it is judged here.
  if (!isAdmitted(url, allowHosts) && isNonPublicAddress(url.hostname))
    throw unavailable("the page's address is not public");
}

function isAdmitted(url: URL, allowHosts: readonly HostPattern[]): boolean {
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return allowHosts.some((p) => patternAdmits(p, url.hostname, port));
}

/** The body decompressed as its Content-Encoding says; null for an encoding not known here. */
function decoded(res: http.IncomingMessage, encoding: string | undefined): Readable | null {
  switch ((encoding ?? 'identity').trim().toLowerCase()) {
    case 'identity':
    case '':
      return res;
    case 'gzip':
    case 'x-gzip':
      return res.pipe(zlib.createGunzip());
    case 'deflate':
      return res.pipe(zlib.createInflate());
    case 'br':
      return res.pipe(zlib.createBrotliDecompress());
    default:
      return null;
  }
}
