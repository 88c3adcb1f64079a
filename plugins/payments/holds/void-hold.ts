import type { DatabaseTransaction, PluginContext } from '../../../sdk/index.js';
import { checkKey, once } from '../idempotency.js';
import type { PaymentsSettings } from '../settings.js';
import { release } from './hold-expiry.js';
import {
  asBody,
  type Body,
  checkId,
  checkParty,
  checkResolvable,
  type HoldView,
  holdViewOf,
  lockHold,
  ownerOf,
  run,
} from './hold-records.js';

type Ctx = PluginContext<PaymentsSettings>;
type Tx = DatabaseTransaction;

export interface VoidRequest {
  idempotencyKey: string;
}

/**
 * Voids an open hold: what is left goes back to the payer (captures stay with the payee). The
 * payer or the payee may void (actorId null: the plugin itself). A resolved hold is invalid_state.
 */
export async function voidHold(
  ctx: Ctx,
  tx: Tx | null,
  holdId: string,
  actorId: string | null,
  input: Partial<VoidRequest> | Body,
): Promise<{ hold: HoldView; replayed: boolean }> {
  const body = asBody(input);
  const id = checkId(holdId, 'hold');
  const key = checkKey(body.idempotencyKey);
  const { response, replayed } = await run(ctx, tx, (t) =>
    once(t, ctx.crypto, ownerOf(actorId), key, { op: 'void', holdId: id }, async () => {
      const hold = await lockHold(t, id);
      checkParty(hold, actorId, ['payer', 'payee'], 'void');
      checkResolvable(hold, 'voided');
      return holdViewOf(await release(ctx, t, hold, 'voided', Date.now()));
    }),
  );
  return { hold: response, replayed };
}
