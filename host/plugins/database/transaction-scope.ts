import { AsyncLocalStorage } from 'node:async_hooks';
import type { SwitchboardError } from '../../../sdk/errors/switchboard-error.js';

/** The plugin database transaction the current async code runs in, while it is open. */
export interface TransactionState {
  active: boolean;
  /** The catalog error of the first statement that failed; the transaction rolls back. */
  failed: SwitchboardError | null;
  readonly writes: Set<string>;
}

export const transactionScope = new AsyncLocalStorage<TransactionState>();

/** True while code runs inside an open plugin transaction (timers it left behind do not count). */
export function insideOpenTransaction(): boolean {
  return transactionScope.getStore()?.active === true;
}
