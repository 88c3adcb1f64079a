import { AsyncLocalStorage } from 'node:async_hooks';

/** The plugin database transaction the current async code runs in, while it is open. */
export interface TransactionState {
  active: boolean;
  failed: unknown;
  readonly writes: Set<string>;
}

export const transactionScope = new AsyncLocalStorage<TransactionState>();

/** True while code runs inside an open plugin transaction (timers it left behind do not count). */
export function insideOpenTransaction(): boolean {
  return transactionScope.getStore()?.active === true;
}
