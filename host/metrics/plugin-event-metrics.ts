import { Counter, Gauge, type Registry } from 'prom-client';

/**
 * The plugin event outbox as operators watch it: how many commits' events wait for handlers (a
 * growing figure means handlers that fall behind or a host that died holding events), how often
 * a host renewed its lease on events its handlers still held (slow handlers), and how many
 * events a host took over from one that stopped before handing them on.
 */
export class PluginEventMetrics {
  private pending: () => Promise<number> = () => Promise.resolve(0);
  private readonly renewals: Counter;
  private readonly takenOver: Counter;

  constructor(registry: Registry) {
    const pending = () => this.pending();
    new Gauge({
      name: 'switchboard_plugin_event_commits_pending',
      help: 'Commits whose plugin events wait for their handlers (one outbox row each), across every host sharing the database.',
      registers: [registry],
      async collect() {
        this.set(await pending());
      },
    });
    this.renewals = new Counter({
      name: 'switchboard_plugin_event_lease_renewals_total',
      help: 'Times this host extended its lease on plugin events whose handlers were still running.',
      registers: [registry],
    });
    this.takenOver = new Counter({
      name: 'switchboard_plugin_events_taken_over_total',
      help: 'Plugin events this host handed on for a host that stopped before it could (each with its first event id).',
      registers: [registry],
    });
  }

  /** The outbox counts its rows when scraped. */
  countPendingWith(count: () => Promise<number>): void {
    this.pending = count;
  }

  leaseRenewed(): void {
    this.renewals.inc();
  }

  tookOver(events: number): void {
    this.takenOver.inc(events);
  }
}
