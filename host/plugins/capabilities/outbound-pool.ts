import http from 'node:http';
import https from 'node:https';
import { injectable } from 'tsyringe';
import { SwitchboardError } from '../../../sdk/errors/switchboard-error.js';
import { outboundShare } from '../../../sdk/plugin/outbound-limits.js';
import type { OutboundAgents } from '../../outbound/outbound-exchange.js';

interface Waiter {
  readonly deadline: number;
  /** Sends it, unless its deadline has passed meanwhile: false then, and it failed. */
  readonly start: () => boolean;
  readonly timer: NodeJS.Timeout;
  readonly fail: (err: Error) => void;
}

/**
 * One plugin's outbound connections and its requests in flight. The agents are its own, so what
 * one plugin holds (sockets to a server that stalls) can never be a socket another one needs, and
 * they are destroyed with the pool when the plugin stops.
 */
export class OutboundPool {
  readonly agents: OutboundAgents;
  private inFlight = 0;
  private readonly waiting: Waiter[] = [];
  private closed = false;

  constructor(readonly share: { readonly inFlight: number; readonly queued: number }) {
    this.agents = {
      'http:': new http.Agent({ keepAlive: true, maxSockets: share.inFlight }),
      'https:': new https.Agent({ keepAlive: true, maxSockets: share.inFlight }),
    };
  }

  /**
   * Runs `send` once fewer than `share.inFlight` of the plugin's requests are out, with the time
   * left of `timeoutMs` (which counts from now, waiting included). A full queue is rate_limited at
   * once, with the wait after which it surely has room (the first waiter's deadline); a deadline
   * that passes in the queue is `timedOut()`.
   */
  run<T>(timeoutMs: number, timedOut: () => Error, send: (timeoutMs: number) => Promise<T>): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    const go = () => {
      this.inFlight++;
      return send(Math.max(1, deadline - Date.now())).finally(() => this.next());
    };
    if (this.closed) return Promise.reject(stopped());
    if (this.inFlight < this.share.inFlight) return go();
    if (this.waiting.length >= this.share.queued) {
      const soonest = Math.min(...this.waiting.map((w) => w.deadline));
      return Promise.reject(
        new SwitchboardError(
          'rate_limited',
          `The plugin has ${this.share.inFlight} outbound requests in flight and ${this.share.queued} waiting; http.fetch again once some have ended.`,
          { retryAfterMs: Math.max(1, soonest - Date.now()) },
        ),
      );
    }
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = {
        deadline,
        start: () => {
          clearTimeout(waiter.timer);
          if (deadline <= Date.now()) {
            reject(timedOut());
            return false;
          }
          go().then(resolve, reject);
          return true;
        },
        timer: setTimeout(() => {
          this.waiting.splice(this.waiting.indexOf(waiter), 1);
          reject(timedOut());
        }, timeoutMs),
        fail: reject,
      };
      this.waiting.push(waiter);
    });
  }

  /** The plugin stopped: waiting requests fail, and every connection closes, those in use too. */
  destroy(): void {
    this.closed = true;
    for (const waiter of this.waiting.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.fail(stopped());
    }
    this.agents['http:'].destroy();
    this.agents['https:'].destroy();
  }

  private next(): void {
    this.inFlight--;
    while (!this.closed && this.waiting.length > 0) if (this.waiting.shift()!.start()) return;
  }
}

const stopped = () => new SwitchboardError('forbidden', 'The plugin stopped; its outbound requests were ended.');

/**
 * Every plugin's OutboundPool, made at its first http.fetch and destroyed when it stops or fails
 * (PluginKernel), so a stopped plugin leaves no socket open; its next run gets a new one.
 */
@injectable()
export class OutboundPools {
  private readonly pools = new Map<string, OutboundPool>();

  /** The plugin's pool; a sandboxed app's has the smaller share (OUTBOUND_LIMITS). */
  of(pluginId: string, sandboxed: boolean): OutboundPool {
    let pool = this.pools.get(pluginId);
    if (!pool) this.pools.set(pluginId, (pool = new OutboundPool(outboundShare(sandboxed))));
    return pool;
  }

  /** The plugin's pool, no longer its current one (its next run gets a new one): to destroy. */
  detach(pluginId: string): OutboundPool | undefined {
    const pool = this.pools.get(pluginId);
    this.pools.delete(pluginId);
    return pool;
  }

  release(pluginId: string): void {
    this.detach(pluginId)?.destroy();
  }
}
