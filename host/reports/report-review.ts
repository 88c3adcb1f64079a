import { inject, injectable } from 'tsyringe';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { AdminReport, ReportAction, ReportPage } from '../../sdk/protocol/reports.js';
import { Tokens } from '../core/container-tokens.js';
import type { Clock } from '../core/clock.js';
import type { Database } from '../db/open-database.js';
import type { Logger } from '../logging/logger.js';
import type { HostMetrics } from '../metrics/host-metrics.js';
import { AccountAdmin, toAdminUser } from '../auth/account-admin.js';
import type { UserRow } from '../auth/user-service.js';
import { MessageService } from '../messages/message-service.js';
import { toReport, type ReportRow } from './report-row.js';

export interface ReportFilter {
  status: 'open' | 'resolved';
  /** A report id: only older reports. */
  before?: string;
  limit: number;
}

/** Who resolves reports: the operator's admin token, the host's one operator identity for now. */
const OPERATOR = 'admin';

/**
 * The operator's side of reports (docs/operators.md "Reviewing reports"): the queue, newest first,
 * and resolving a report. Deleting the message goes through MessageService (a tombstone every member
 * hears of) and deactivating the person through AccountAdmin, as the console's own buttons do; either
 * resolves every open report it answers (all those of that message, or of that person), a dismissal
 * only its own.
 */
@injectable()
export class ReportReview {
  constructor(
    @inject(Tokens.Database) private readonly db: Database,
    @inject(Tokens.Clock) private readonly clock: Clock,
    @inject(Tokens.Logger) private readonly log: Logger,
    @inject(Tokens.Metrics) private readonly metrics: HostMetrics,
    @inject(MessageService) private readonly messages: MessageService,
    @inject(AccountAdmin) private readonly accounts: AccountAdmin,
  ) {
    metrics.reports.countOpenWith(async () => {
      const [{ count }] = (await this.db.knex('reports').whereNull('resolved_at').count({ count: '*' })) as [
        { count: number | string },
      ];
      return Number(count);
    });
  }

  /** Ids are UUIDv7: their order is the order reports came in (to the millisecond); a page goes on before the last id. */
  async list(filter: ReportFilter): Promise<ReportPage> {
    const query = this.db
      .knex<ReportRow>('reports')
      .orderBy('id', 'desc')
      .limit(filter.limit + 1);
    if (filter.status === 'open') query.whereNull('resolved_at');
    else query.whereNotNull('resolved_at');
    if (filter.before !== undefined) query.where('id', '<', filter.before);
    const rows = await query;
    return { reports: await this.withPeople(rows.slice(0, filter.limit)), hasMore: rows.length > filter.limit };
  }

  async get(reportId: string): Promise<AdminReport> {
    return (await this.withPeople([await this.row(reportId)]))[0]!;
  }

  /**
   * Acts on a report and records it resolved (by whom, when, how). Resolving it again with the
   * same action answers it as it is (a retry); with another, `report_already_resolved`.
   */
  async resolve(reportId: string, action: ReportAction): Promise<AdminReport> {
    const report = await this.row(reportId);
    if (report.resolved_at !== null) return this.resolvedAlready(report, action);
    let scope: Partial<ReportRow> = { id: report.id };
    if (action === 'delete_message') {
      if (report.message_id === null || report.conversation_id === null)
        throw new SwitchboardError('invalid_operation', 'A report of a person has no message to delete.');
      await this.messages.deleteByOperator(report.conversation_id, report.message_id);
      scope = { message_id: report.message_id };
    } else if (action === 'deactivate_user') {
      await this.accounts.deactivate(report.user_id);
      scope = { user_id: report.user_id };
    }
    const now = this.clock.now();
    const resolved = await this.db
      .knex('reports')
      .where(scope)
      .whereNull('resolved_at')
      .update({ resolved_at: now, resolution: action, resolved_by: OPERATOR });
    this.metrics.reports.reportsResolved(action, resolved);
    this.log.info(
      { reportId, action, resolved, userId: report.user_id, messageId: report.message_id },
      'report resolved',
    );
    const after = await this.row(reportId);
    // Resolved meanwhile by another request with another action: that one stands.
    if (after.resolution !== action) return this.resolvedAlready(after, action);
    return (await this.withPeople([after]))[0]!;
  }

  private async resolvedAlready(report: ReportRow, action: ReportAction): Promise<AdminReport> {
    if (report.resolution !== action)
      throw new SwitchboardError(
        'report_already_resolved',
        `The report was resolved already (${report.resolution}); it cannot be resolved again as ${action}.`,
      );
    return (await this.withPeople([report]))[0]!;
  }

  private async row(reportId: string): Promise<ReportRow> {
    const row = await this.db.knex<ReportRow>('reports').where({ id: reportId }).first<ReportRow | undefined>();
    if (!row) throw new SwitchboardError('report_not_found');
    return row;
  }

  /** Reports with their reporter and the person reported, as the admin users API shows them (one query). */
  private async withPeople(rows: readonly ReportRow[]): Promise<AdminReport[]> {
    if (rows.length === 0) return [];
    const ids = [...new Set(rows.flatMap((r) => [r.reporter_id, r.user_id]))];
    const users = new Map(
      (await this.db.knex<UserRow>('users').whereIn('id', ids)).map((u) => [u.id, toAdminUser(u)] as const),
    );
    return rows.map((r) => ({ ...toReport(r), reporter: users.get(r.reporter_id)!, user: users.get(r.user_id)! }));
  }
}
