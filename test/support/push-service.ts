/**
 * A Web Push service for the tests: a real HTTP server on a local port that does what a browser
 * vendor's push service and the browser do together. It checks each push's VAPID Authorization
 * (RFC 8292: `vapid t=<JWT>, k=<public key>`, an ES256 signature verified with node:crypto
 * against k, aud the endpoint's origin, exp in the future and at most 24 h away, sub a mailto:
 * or https: URL) and decrypts its aes128gcm payload (RFC 8188, keys of RFC 8291) with the
 * subscription's private key and auth secret, written here from the RFCs, apart from the
 * library that encrypts. It answers 201, or what `respond` says (410 for a browser that left).
 */
import { createECDH, createHmac, createDecipheriv, createPublicKey, randomBytes, verify, type ECDH } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually } from './eventually.js';

/** A browser's PushSubscription, as its toJSON() gives it. */
export interface BrowserSubscription {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

export interface ReceivedPush {
  /** The subscription's id (the last path segment of its endpoint). */
  subscription: string;
  /** The decrypted payload, parsed. */
  payload: any;
  ttl: string | undefined;
  urgency: string | undefined;
  /** The VAPID claims, after their checks passed. */
  claims: { aud: string; exp: number; sub: string };
  /** The k= of the Authorization header (the host's VAPID public key). */
  vapidKey: string;
}

interface Browser {
  ecdh: ECDH;
  auth: Buffer;
}

const b64url = (b: Buffer) => b.toString('base64url');
const hmac = (key: Buffer, data: Buffer) => createHmac('sha256', key).update(data).digest();

export class PushService {
  readonly received: ReceivedPush[] = [];
  /** Pushes refused, with why: a check that failed is a test failure, so tests assert this stays empty. */
  readonly refused: { subscription: string; why: string }[] = [];
  /** The status to answer a push to this subscription with (201 unless told otherwise). */
  respond: (subscription: string) => number = () => 201;
  /** Never answer pushes to this subscription (a push service that hangs): the host's deadline ends them. */
  hold: (subscription: string) => boolean = () => false;
  private readonly browsers = new Map<string, Browser>();
  private server: Server | null = null;
  private count = 0;

  get origin(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(
        (status) => res.writeHead(status).end(),
        (err: Error) => res.writeHead(400).end(err.message),
      );
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** A new browser: P-256 key pair and 16-byte auth secret, as PushManager.subscribe() makes them. */
  newBrowser(): BrowserSubscription {
    const id = `sub${++this.count}-${b64url(randomBytes(6))}`;
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    const auth = randomBytes(16);
    this.browsers.set(id, { ecdh, auth });
    return { endpoint: `${this.origin}/push/${id}`, keys: { p256dh: b64url(ecdh.getPublicKey()), auth: b64url(auth) } };
  }

  pushesTo(subscription: BrowserSubscription): ReceivedPush[] {
    const id = subscription.endpoint.split('/').pop();
    return this.received.filter((p) => p.subscription === id);
  }

  /** The first push to the subscription that matches, once it arrived. */
  waitForPush(
    subscription: BrowserSubscription,
    match: (p: ReceivedPush) => boolean = () => true,
  ): Promise<ReceivedPush> {
    return eventually(() => this.pushesTo(subscription).find(match), { what: 'a push to the subscription' });
  }

  private async handle(req: IncomingMessage): Promise<number> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const id = (req.url ?? '').split('/').pop() ?? '';
    try {
      const browser = this.browsers.get(id);
      if (req.method !== 'POST' || !browser) throw new Error(`no subscription ${id}`);
      const { claims, vapidKey } = checkVapid(String(req.headers.authorization ?? ''), this.origin);
      if (req.headers['content-encoding'] !== 'aes128gcm') throw new Error('content-encoding is not aes128gcm');
      const payload = JSON.parse(decrypt(Buffer.concat(chunks), browser).toString('utf8'));
      if (this.hold(id)) return await new Promise<number>(() => {});
      const status = this.respond(id);
      this.received.push({
        subscription: id,
        payload,
        ttl: req.headers.ttl as string | undefined,
        urgency: req.headers.urgency as string | undefined,
        claims,
        vapidKey,
      });
      return status;
    } catch (err) {
      this.refused.push({ subscription: id, why: (err as Error).message });
      return 400;
    }
  }
}

/** RFC 8292: `vapid t=<JWT>, k=<uncompressed P-256 public key, base64url>`. */
function checkVapid(header: string, origin: string): { claims: ReceivedPush['claims']; vapidKey: string } {
  const match = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(header);
  if (!match) throw new Error(`Authorization is not "vapid t=…, k=…": ${header.slice(0, 40)}`);
  const [, jwt, k] = match as unknown as [string, string, string];
  const [head, body, signature] = jwt.split('.');
  if (!head || !body || !signature) throw new Error('the JWT does not have three parts');
  const header_ = JSON.parse(Buffer.from(head, 'base64url').toString('utf8'));
  if (header_.alg !== 'ES256') throw new Error(`JWT alg is ${header_.alg}, not ES256`);
  const point = Buffer.from(k, 'base64url');
  if (point.length !== 65 || point[0] !== 4) throw new Error('k is not an uncompressed P-256 point');
  const key = createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: b64url(point.subarray(1, 33)), y: b64url(point.subarray(33, 65)) },
    format: 'jwk',
  });
  const valid = verify(
    'sha256',
    Buffer.from(`${head}.${body}`),
    { key, dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature, 'base64url'),
  );
  if (!valid) throw new Error('the JWT signature does not verify against k');
  const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  if (claims.aud !== origin) throw new Error(`aud is ${claims.aud}, not ${origin}`);
  const now = Date.now() / 1000;
  if (!(claims.exp > now && claims.exp <= now + 24 * 3600)) throw new Error(`exp ${claims.exp} is not within 24 h`);
  if (!/^(mailto:|https:)/.test(String(claims.sub))) throw new Error(`sub ${claims.sub} is not mailto: or https:`);
  return { claims, vapidKey: k };
}

/** RFC 8188 aes128gcm, with the key and nonce of RFC 8291 (one record, as a push has). */
function decrypt(body: Buffer, browser: Browser): Buffer {
  const salt = body.subarray(0, 16);
  const idLength = body[20]!;
  const senderKey = body.subarray(21, 21 + idLength);
  const records = body.subarray(21 + idLength);
  const receiverKey = browser.ecdh.getPublicKey();
  const prkKey = hmac(browser.auth, browser.ecdh.computeSecret(senderKey));
  const ikm = hmac(prkKey, Buffer.concat([Buffer.from('WebPush: info\0'), receiverKey, senderKey, Buffer.from([1])]));
  const prk = hmac(salt, ikm);
  const cek = hmac(prk, Buffer.from('Content-Encoding: aes128gcm\0\x01')).subarray(0, 16);
  const nonce = hmac(prk, Buffer.from('Content-Encoding: nonce\0\x01')).subarray(0, 12);
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(records.subarray(records.length - 16));
  const padded = Buffer.concat([decipher.update(records.subarray(0, records.length - 16)), decipher.final()]);
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (padded[end] !== 2) throw new Error('the last record does not end with the delimiter 0x02');
  return padded.subarray(0, end);
}
