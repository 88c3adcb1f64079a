import type { SwitchboardClient } from '../../../sdk/client/index.js';

/**
 * The host's VAPID public key, kept for this tab (sessionStorage): a page load with notifications
 * on checks its subscription against it without asking the host each time, and a new tab asks
 * once, so a key the operator replaced is noticed at the latest in the next tab.
 */
const KEY = 'switchboard:vapid-key';

export function cachedVapidKey(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    // Storage refused (a privacy mode): the host is asked instead.
    return null;
  }
}

/** Asks the host for its key (`push_disabled` when it has push off) and keeps the answer. */
export async function freshVapidKey(client: SwitchboardClient): Promise<string> {
  try {
    const key = await client.http.vapidKey();
    remember(key);
    return key;
  } catch (err) {
    remember(null);
    throw err;
  }
}

function remember(key: string | null): void {
  try {
    if (key === null) sessionStorage.removeItem(KEY);
    else sessionStorage.setItem(KEY, key);
  } catch {
    // Not kept: the next page load asks again.
  }
}
