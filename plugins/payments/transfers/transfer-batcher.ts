import { GroupCommitQueue, type PluginContext } from '../../../sdk/index.js';
import { applyTransferBatch, type PreparedTransfer, type TransferDone } from './apply-transfer-batch.js';
import { KnownRows } from './batch-rows.js';
import type { PaymentsSettings } from '../settings.js';

const MAX_BATCH = 256;
/**
 * Batches in flight at once. A later batch's reads overlap an earlier one's commit; where they
 * share a wallet, its row lock orders them (every batch locks in the same order, and a deadlock
 * the database breaks anyway only sends that batch's transfers through one by one).
 */
const BATCHES_IN_FLIGHT = 2;

/**
 * Group commit for transfers (the way TigerBeetle batches): transfers that arrive while a batch
 * commits wait for the next one, and a whole batch is one database transaction of a dozen
 * statements, whatever its size (see applyTransferBatch). If the batch as a whole fails (a
 * database error), each transfer is retried alone.
 */
export class TransferBatcher {
  private readonly queue: GroupCommitQueue<PreparedTransfer, TransferDone>;

  constructor(ctx: PluginContext<PaymentsSettings>) {
    const known = new KnownRows();
    this.queue = new GroupCommitQueue<PreparedTransfer, TransferDone>({
      commit: (transfers) =>
        ctx.database.transaction((tx) => applyTransferBatch(tx, ctx.crypto, ctx.settings, transfers, known), {
          timeoutMs: 30_000,
        }),
      maxBatch: MAX_BATCH,
      maxInFlight: BATCHES_IN_FLIGHT,
      // A lone transfer too, so that one that breaks the database (or a key another host stored
      // meanwhile) fails alone, or finds its stored result.
      retryAlone: 'always',
    });
  }

  submit(transfer: PreparedTransfer): Promise<TransferDone> {
    return this.queue.push(transfer);
  }
}
