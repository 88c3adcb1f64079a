import { localStorageStore } from '../../../sdk/client/index.js';
import type { PublicUser } from '../../../sdk/protocol/message.js';

/** The web client's own saved values (the session, the language) in localStorage, under one prefix. */
export const appStore = localStorageStore('switchboard:');

const SESSION_KEY = 'session';

/** What a reload needs to start the session at once: the token, and whose it is (the cache's owner). */
export interface SavedSession {
  token: string;
  user: PublicUser;
}

export function saveSession(saved: SavedSession): void {
  appStore.set(SESSION_KEY, JSON.stringify(saved));
}

/** The saved session, or null when there is none or it is unreadable (then the person signs in again). */
export function savedSession(): SavedSession | null {
  const text = appStore.get(SESSION_KEY);
  if (text === null) return null;
  try {
    const saved = JSON.parse(text) as Partial<SavedSession> | null;
    return typeof saved?.token === 'string' && typeof saved.user?.id === 'string'
      ? { token: saved.token, user: saved.user }
      : null;
  } catch {
    // Edited by hand or from an older version: treated as signed out, the person signs in again.
    return null;
  }
}

export function forgetSession(): void {
  appStore.delete(SESSION_KEY);
}

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
