import { Counter, Gauge, type Registry } from 'prom-client';

const OUTCOMES = ['sent', 'gone', 'rejected', 'failed'] as const;

/**
 * Web Push as operators watch it: pushes by outcome (sent: the push service took it; gone: it
 * answered 404/410 and the subscription was deleted; rejected: another status; failed: no
 * answer, or the payload could not be encrypted), notifications dropped because this host's
 * queue was full, and how much waits or runs when scraped.
 */
export class PushMetrics {
  private readonly sends: Counter<'outcome'>;
  private readonly dropped: Counter;
  private pending: () => number = () => 0;

  constructor(registry: Registry) {
    this.sends = new Counter({
      name: 'switchboard_push_sends_total',
      help: 'Web Push requests to push services, by outcome (sent, gone, rejected, failed).',
      labelNames: ['outcome'],
      registers: [registry],
    });
    for (const outcome of OUTCOMES) this.sends.labels(outcome);
    this.dropped = new Counter({
      name: 'switchboard_push_dropped_total',
      help: 'Notifications this host dropped because its push queue was full (push.queueSize).',
      registers: [registry],
    });
    const pending = () => this.pending();
    new Gauge({
      name: 'switchboard_push_pending',
      help: "Messages and pushes waiting in this host's push queues or being handled.",
      registers: [registry],
      collect() {
        this.set(pending());
      },
    });
  }

  /** The dispatcher tells how much waits or runs, when scraped. */
  countPendingWith(count: () => number): void {
    this.pending = count;
  }

  sent(outcome: (typeof OUTCOMES)[number]): void {
    this.sends.labels(outcome).inc();
  }

  droppedOne(): void {
    this.dropped.inc();
  }
}
