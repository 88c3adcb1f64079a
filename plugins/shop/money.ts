/**
 * Amounts are integers in the currency's minor unit (cents for EUR): sums and products of
 * integers are exact, where 0.1 + 0.2 in floating point is not. Only display adds a decimal point.
 */

/** Currencies whose minor unit is not a hundredth (ISO 4217); any other has two decimals. */
const DECIMALS = new Map<string, number>([
  ['JPY', 0],
  ['KRW', 0],
  ['ISK', 0],
  ['CLP', 0],
  ['VND', 0],
  ['XAF', 0],
  ['XOF', 0],
  ['BHD', 3],
  ['JOD', 3],
  ['KWD', 3],
  ['OMR', 3],
  ['TND', 3],
]);

/** 1290, "EUR" → "12.90 EUR"; 500, "JPY" → "500 JPY". */
export function formatMoney(amountMinor: number, currency: string): string {
  const decimals = DECIMALS.get(currency) ?? 2;
  const digits = String(Math.abs(amountMinor)).padStart(decimals + 1, '0');
  const whole = digits.slice(0, digits.length - decimals);
  const fraction = decimals > 0 ? `.${digits.slice(-decimals)}` : '';
  return `${amountMinor < 0 ? '-' : ''}${whole}${fraction} ${currency}`;
}
