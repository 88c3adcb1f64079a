import type { Knex } from 'knex';
import type { HostEvent } from '../bus/event-bus.js';
import type { CommittedEventOutbox, OutboxBatch } from './extension-points.js';

/**
 * Several outboxes behind the writer's one: each records in the committing transaction and is
 * handed its own batch after the commit, in the order given. The writer still sees one outbox.
 */
export class CommittedEventFanout implements CommittedEventOutbox {
  constructor(private readonly outboxes: readonly CommittedEventOutbox[]) {}

  async record(trx: Knex.Transaction | null, events: readonly HostEvent[]): Promise<OutboxBatch | null> {
    const batches: (OutboxBatch | null)[] = [];
    for (const outbox of this.outboxes) batches.push(await outbox.record(trx, events));
    return batches.some((b) => b !== null) ? batches : null;
  }

  newMessageListeners(): readonly string[] {
    return this.outboxes.flatMap((o) => o.newMessageListeners());
  }

  committed(batch: OutboxBatch | null): void {
    if (batch === null) return;
    (batch as (OutboxBatch | null)[]).forEach((b, i) => this.outboxes[i]!.committed(b));
  }
}
