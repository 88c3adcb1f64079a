import { randomUUIDv7 } from 'node:crypto';
import { inject, injectable } from 'tsyringe';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { Report, ReportRequest } from '../../sdk/protocol/reports.js';
import { Tokens } from '../core/container-tokens.js';
import type { Clock } from '../core/clock.js';
import type { Database } from '../db/open-database.js';
import { isUniqueViolation } from '../db/unique-violation.js';
import type { Logger } from '../logging/logger.js';
import type { HostMetrics } from '../metrics/host-metrics.js';
import { requireMembership } from '../conversations/membership.js';
import { MemberDirectory } from '../conversations/member-directory.js';
import { MessageStore } from '../messages/message-store.js';
import { UserService } from '../auth/user-service.js';
import { snapshotOf, toReport, type ReportRow } from './report-row.js';

/** What a report is about, once checked: the person reported and, for a message, its snapshot. */
type Target = Pick<ReportRow, 'user_id' | 'conversation_id' | 'message_id' | 'target' | 'snapshot'>;
/** A target to report, or the caller's open report of it. */
type Checked = { target: Target } | { open: ReportRow };

const refused = (path: string, sentence: string, detail: string) =>
  new SwitchboardError('invalid_request', sentence, { details: [{ path, message: detail }] });

/**
 * People report a message or a person to the operator (docs/protocol.md "Reporting abuse"). Only
 * a member of a message's conversation may report it, and anyone else is answered as a non-member
 * reading it (`conversation_not_found`), so a report reveals nothing; a person may be reported by
 * anyone sharing a conversation with them. A message's report keeps a snapshot of it. One open
 * report per reporter and target: a repeat, from any host, answers the report there is.
 */
@injectable()
export class ReportService {
  constructor(
    @inject(Tokens.Database) private readonly db: Database,
    @inject(Tokens.Clock) private readonly clock: Clock,
    @inject(Tokens.Logger) private readonly log: Logger,
    @inject(Tokens.Metrics) private readonly metrics: HostMetrics,
    @inject(MessageStore) private readonly store: MessageStore,
    @inject(UserService) private readonly users: UserService,
    @inject(MemberDirectory) private readonly members: MemberDirectory,
  ) {}

  /** The report made, or the open one the caller made of the same target before (`created` false). */
  async submit(reporterId: string, input: ReportRequest): Promise<{ report: Report; created: boolean }> {
    const checked =
      input.messageId !== undefined
        ? await this.messageTarget(reporterId, input)
        : await this.personTarget(reporterId, input);
    if ('open' in checked) return { report: toReport(checked.open), created: false };
    const row: ReportRow = {
      id: randomUUIDv7(),
      reporter_id: reporterId,
      ...checked.target,
      reason: input.reason,
      note: input.note ?? null,
      created_at: this.clock.now(),
      resolved_at: null,
      resolution: null,
      resolved_by: null,
    };
    try {
      await this.db.knex('reports').insert(row);
    } catch (err) {
      // The same report at the same time, on this host or another: the first one stored answers both.
      const open = isUniqueViolation(err) ? await this.openReport(reporterId, row.target) : undefined;
      if (!open) throw err;
      return { report: toReport(open), created: false };
    }
    this.metrics.reports.reportReceived(row.reason);
    this.log.info(
      { reportId: row.id, reporterId, userId: row.user_id, messageId: row.message_id, reason: row.reason },
      'report received',
    );
    return { report: toReport(row), created: true };
  }

  private async messageTarget(reporterId: string, input: ReportRequest): Promise<Checked> {
    if (input.userId !== undefined)
      throw refused('/userId', 'Report a message or a person, not both.', 'is not allowed with messageId');
    if (input.conversationId === undefined)
      throw refused('/conversationId', 'A message is reported with its conversationId.', 'is required with messageId');
    const knex = this.db.knex;
    await requireMembership(knex, input.conversationId, reporterId);
    const open = await this.openReport(reporterId, input.messageId!);
    // Before the message is read: one the sender deleted since still answers the report made of it.
    if (open && open.conversation_id === input.conversationId) return { open };
    const row = await this.store.rowById(knex, input.conversationId, input.messageId!);
    if (row.deleted_at !== null) throw new SwitchboardError('message_deleted', 'The message was deleted.');
    if (row.content_type.startsWith('system.'))
      throw new SwitchboardError('invalid_operation', 'System messages cannot be reported.');
    if (row.sender_id === reporterId)
      throw new SwitchboardError('invalid_operation', 'Your own messages cannot be reported.');
    return {
      target: {
        user_id: row.sender_id,
        conversation_id: row.conversation_id,
        message_id: row.id,
        target: row.id,
        snapshot: JSON.stringify(snapshotOf(row)),
      },
    };
  }

  private async personTarget(reporterId: string, input: ReportRequest): Promise<Checked> {
    if (input.userId === undefined)
      throw refused('/messageId', 'Give messageId (with conversationId) or userId.', 'messageId or userId is required');
    if (input.conversationId !== undefined)
      throw refused('/conversationId', 'A person is reported by userId alone.', 'is allowed only with messageId');
    if (input.userId === reporterId) throw new SwitchboardError('invalid_operation', 'You cannot report yourself.');
    const user = await this.users.byId(input.userId);
    if (!(await this.members.sharingAConversation(reporterId, [user.id])).has(user.id))
      throw new SwitchboardError('forbidden', 'You can report only people you share a conversation with.');
    const open = await this.openReport(reporterId, user.id);
    if (open) return { open };
    return { target: { user_id: user.id, conversation_id: null, message_id: null, target: user.id, snapshot: null } };
  }

  private openReport(reporterId: string, target: string): Promise<ReportRow | undefined> {
    return this.db
      .knex<ReportRow>('reports')
      .where({ reporter_id: reporterId, target })
      .whereNull('resolved_at')
      .first<ReportRow | undefined>();
  }
}
