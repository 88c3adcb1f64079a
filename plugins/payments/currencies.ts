import { PaymentError } from './payment-error.js';

/** ISO 4217 codes with their minor-unit exponent. */
export type Currencies = Readonly<Record<string, number>>;

/** The largest balance the ledger can hold at all: exact in a JavaScript number and in a 64-bit column. */
export const MAX_MINOR = Number.MAX_SAFE_INTEGER;
/** The largest amount one operation may move (10^13 minor units: 100 billion in a 2-decimal currency). */
export const MAX_AMOUNT_MINOR = 10 ** 13;
/**
 * The largest balance a person's wallet may reach by a top-up, transfer, capture, refund or
 * request (10^14). Money the provider already moved (a charged top-up, a reversed payout) is
 * always booked, so a wallet may pass this by what was admitted below it, never by anywhere near
 * MAX_MINOR: every sum the ledger forms stays an exact integer.
 */
export const MAX_BALANCE_MINOR = 10 ** 14;

export function checkCurrency(currencies: Currencies, currency: unknown): string {
  if (typeof currency !== 'string' || !Object.prototype.hasOwnProperty.call(currencies, currency)) {
    throw new PaymentError(
      'unknown_currency',
      `Unknown currency ${JSON.stringify(currency)}; this host handles ${Object.keys(currencies).join(', ')}.`,
    );
  }
  return currency;
}

/** An amount in minor units: a positive safe integer (no fractions, no zero, no overflow). */
export function checkAmount(amount: unknown, what = 'amountMinor'): number {
  if (typeof amount !== 'number' || !Number.isInteger(amount)) {
    throw new PaymentError(
      'invalid_amount',
      `${what} must be a whole number of minor units (cents), not ${JSON.stringify(amount)}.`,
    );
  }
  if (amount <= 0) throw new PaymentError('invalid_amount', `${what} must be positive, not ${amount}.`);
  if (amount > MAX_AMOUNT_MINOR)
    throw new PaymentError(
      'invalid_amount',
      `${what} ${amount} is larger than one payment may move (${MAX_AMOUNT_MINOR}).`,
      { maxMinor: MAX_AMOUNT_MINOR },
    );
  return amount;
}

/** "12.50" in EUR → 1250. Parsed as text: no floating point anywhere near money. */
export function parseMajor(currencies: Currencies, currency: string, text: string): number {
  const exponent = currencies[checkCurrency(currencies, currency)]!;
  const match = /^(\d{1,15})(?:\.(\d+))?$/.exec(text.trim());
  if (!match) throw new PaymentError('invalid_amount', `"${text}" is not an amount; write it like 12.50.`);
  const fraction = match[2] ?? '';
  if (fraction.length > exponent)
    throw new PaymentError('invalid_amount', `${currency} has ${exponent} decimal places; "${text}" has more.`);
  return checkAmount(Number(match[1]) * 10 ** exponent + Number(fraction.padEnd(exponent, '0') || '0'), 'The amount');
}

export function formatMinor(currencies: Currencies, currency: string, amount: number): string {
  const exponent = currencies[currency] ?? 2;
  const sign = amount < 0 ? '-' : '';
  const digits = String(Math.abs(amount)).padStart(exponent + 1, '0');
  return exponent === 0
    ? `${sign}${digits} ${currency}`
    : `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)} ${currency}`;
}
