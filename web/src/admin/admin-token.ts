/**
 * The operator's admin token, kept for this tab only (sessionStorage, never localStorage): it is
 * the host's master key, so it is gone when the tab closes and never shared with other tabs.
 */
const KEY = 'switchboard:admin-token';

export const adminToken = {
  get(): string | null {
    return sessionStorage.getItem(KEY);
  },
  set(token: string): void {
    sessionStorage.setItem(KEY, token);
  },
  forget(): void {
    sessionStorage.removeItem(KEY);
  },
};
