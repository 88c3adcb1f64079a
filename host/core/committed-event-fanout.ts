import type { Knex } from 'knex';
import type { HostEvent } from '../bus/event-bus.js';
import type {
  CommittedEventOutbox,
  HeardInStatement,
  NewMessageListener,
  OutboxBatch,
  StatementRecording,
} from './extension-points.js';

/**
 * Several outboxes behind the writer's one: each records in the committing transaction and is
 * handed its own batch after the commit, in the order given. The writer still sees one outbox.
 * At most one of them records in the writer's one statement (`statementRecording`); `heard`
 * reaches them all, and only that one reads it.
 */
export class CommittedEventFanout implements CommittedEventOutbox {
  constructor(private readonly outboxes: readonly CommittedEventOutbox[]) {}

  async record(
    trx: Knex.Transaction | null,
    events: readonly HostEvent[],
    heard?: HeardInStatement | null,
  ): Promise<OutboxBatch | null> {
    const batches: (OutboxBatch | null)[] = [];
    for (const outbox of this.outboxes) batches.push(await outbox.record(trx, events, heard));
    return batches.some((b) => b !== null) ? batches : null;
  }

  newMessageListeners(): readonly NewMessageListener[] {
    return this.outboxes.flatMap((o) => o.newMessageListeners());
  }

  statementRecording(now: number): StatementRecording | null {
    const recordings = this.outboxes.flatMap((o) => o.statementRecording?.(now) ?? []);
    if (recordings.length > 1) throw new Error('only one outbox may record in the writer’s one statement');
    return recordings[0] ?? null;
  }

  committed(batch: OutboxBatch | null): void {
    if (batch === null) return;
    (batch as (OutboxBatch | null)[]).forEach((b, i) => this.outboxes[i]!.committed(b));
  }
}
