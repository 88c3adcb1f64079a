import { Counter, Gauge, type Registry } from 'prom-client';
import { REPORT_ACTIONS, REPORT_REASONS, type ReportAction, type ReportReason } from '../../sdk/protocol/reports.js';

/**
 * Reports of abuse as operators watch them: how many wait for the operator (read from the database
 * at each scrape, so every host shows the whole queue), those this host received (new ones; a
 * repeat that answers the open report is not counted) by reason, and those resolved by action.
 */
export class ReportMetrics {
  private open: () => Promise<number> = () => Promise.resolve(0);
  private readonly received: Counter<'reason'>;
  private readonly resolved: Counter<'action'>;

  constructor(registry: Registry) {
    const open = () => this.open();
    new Gauge({
      name: 'switchboard_reports_open',
      help: 'Reports of abuse waiting for the operator, across every host sharing the database.',
      registers: [registry],
      async collect() {
        this.set(await open());
      },
    });
    this.received = new Counter({
      name: 'switchboard_reports_received_total',
      help: 'Reports of abuse received by this host, by reason (spam, harassment, illegal, other).',
      labelNames: ['reason'],
      registers: [registry],
    });
    for (const reason of REPORT_REASONS) this.received.labels(reason);
    this.resolved = new Counter({
      name: 'switchboard_reports_resolved_total',
      help: 'Reports the operator resolved through this host, by action (dismiss, delete_message, deactivate_user).',
      labelNames: ['action'],
      registers: [registry],
    });
    for (const action of REPORT_ACTIONS) this.resolved.labels(action);
  }

  /** The report queue counts its open reports when scraped. */
  countOpenWith(count: () => Promise<number>): void {
    this.open = count;
  }

  reportReceived(reason: ReportReason): void {
    this.received.labels(reason).inc();
  }

  reportsResolved(action: ReportAction, count: number): void {
    if (count > 0) this.resolved.labels(action).inc(count);
  }
}
