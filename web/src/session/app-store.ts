import { localStorageStore } from '../../../sdk/client/index.js';

/** The web client's own saved values (the session token, the language) in localStorage, under one prefix. */
export const appStore = localStorageStore('switchboard:');

/** Where a signed-in person's client library keeps its cache and outbox. */
export function userStorePrefix(userId: string): string {
  return `switchboard:user:${userId}:`;
}

/**
 * Removes what the client library kept for a person (cached messages, unsent ones) at log out, so
 * the next person on this browser finds none of it. The store interface has no listing, so this
 * goes to localStorage itself.
 */
export function forgetUserData(userId: string): void {
  const prefix = userStorePrefix(userId);
  const keys: string[] = [];
  for (let i = 0; i < localStorage.length; i++) {
    const key = localStorage.key(i);
    if (key?.startsWith(prefix)) keys.push(key);
  }
  for (const key of keys) localStorage.removeItem(key);
}
