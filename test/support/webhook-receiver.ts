import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually } from './eventually.js';

export interface ReceivedDelivery {
  deliveryId: string;
  signature: string;
  rawBody: string;
  body: { deliveryId: string; businessId: string; events: { type: string; [k: string]: any }[] };
  at: number;
  /** The sender's end of the connection (its local port), to tell which host process sent it. */
  remotePort: number;
}

/**
 * A business backend for the tests: a real HTTP server that records every webhook POST, answers
 * with `respond` (200 unless told otherwise), and processes each delivery once, by its id, as a
 * receiver should (`processed`).
 */
export class WebhookReceiver {
  readonly received: ReceivedDelivery[] = [];
  /** Deliveries by id, each processed once however often it arrives. */
  readonly processed = new Map<string, ReceivedDelivery>();
  respond: (delivery: ReceivedDelivery) => number = () => 200;
  /** Process the delivery, then answer 503 as if the answer were lost on the way back. */
  lostAnswer: (delivery: ReceivedDelivery) => boolean = () => false;
  /** Never answer the delivery: the request stays open until the sender gives up or dies. */
  hold: (delivery: ReceivedDelivery) => boolean = () => false;
  private server: Server | null = null;

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/hooks`;
  }

  async start(): Promise<this> {
    this.server = createServer(
      (req, res) =>
        void this.handle(req).then(
          (status) => res.writeHead(status).end(),
          () => res.writeHead(400).end(),
        ),
    );
    this.server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Events of processed deliveries (each delivery once), optionally of one type. */
  events(type?: string): any[] {
    return [...this.processed.values()]
      .flatMap((d) => d.body.events)
      .filter((e) => type === undefined || e.type === type);
  }

  async waitForEvent(predicate: (event: any) => boolean, timeoutMs = 10_000): Promise<any> {
    try {
      return await eventually(() => this.events().find(predicate), { timeoutMs });
    } catch {
      throw new Error(
        `no matching webhook event within ${timeoutMs} ms; got ${JSON.stringify(this.events().map((e) => e.type))}`,
      );
    }
  }

  private async handle(req: IncomingMessage): Promise<number> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const delivery: ReceivedDelivery = {
      deliveryId: String(req.headers['x-switchboard-delivery']),
      signature: String(req.headers['x-switchboard-signature']),
      rawBody,
      body: JSON.parse(rawBody),
      at: Date.now(),
      remotePort: req.socket.remotePort ?? 0,
    };
    this.received.push(delivery);
    if (this.hold(delivery)) return new Promise<number>(() => {});
    const lost = this.lostAnswer(delivery);
    const status = lost ? 503 : this.respond(delivery);
    if ((lost || (status >= 200 && status < 300)) && !this.processed.has(delivery.deliveryId))
      this.processed.set(delivery.deliveryId, delivery);
    return status;
  }
}

/** Checks `t=<unix>,v1=<hex>` over "<t>.<raw body>" with the secret, at most 5 minutes old. */
export function signatureValid(secret: string, header: string, rawBody: string, now = Date.now()): boolean {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!match) return false;
  if (Math.abs(now / 1000 - Number(match[1])) > 300) return false;
  const expected = createHmac('sha256', secret).update(`${match[1]}.${rawBody}`).digest();
  return timingSafeEqual(expected, Buffer.from(match[2]!, 'hex'));
}
