/** Ledger account names: people, and the system's own accounts. */
export const userAccount = (userId: string, currency: string): string => `user:${userId}:${currency}`;
/** Money that came in from (or went out to) a card provider: the outside world, so it may go negative. */
export const providerAccount = (provider: string, currency: string): string => `provider:${provider}:${currency}`;
export const holdAccount = (holdId: string, currency: string): string => `hold:${holdId}:${currency}`;

export function isUserAccount(account: string): boolean {
  return account.startsWith('user:');
}
