/** The business may send anything within this long of the customer's last message (docs/business.md). */
export const WINDOW_MS = 24 * 60 * 60 * 1000;

/** When the 24-hour window closes, or null when it is closed (or the customer never wrote). */
export function windowClosesAt(lastCustomerMessageAt: string | null, now = Date.now()): Date | null {
  if (lastCustomerMessageAt === null) return null;
  const closes = Date.parse(lastCustomerMessageAt) + WINDOW_MS;
  return closes > now ? new Date(closes) : null;
}
