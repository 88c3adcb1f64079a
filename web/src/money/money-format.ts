/**
 * Amounts are whole numbers of minor units (cents) on the wire. They are shown, and typed, in the
 * currency's major unit with its number of decimals (EUR 2, JPY 0, as Intl knows them), always by
 * string arithmetic on the integer: no binary fraction ever stands for money.
 */
const DECIMAL = /^(\d+)(?:[.,](\d*))?$/;

/** The currency's decimals (2 when Intl does not know the code). */
export function currencyDecimals(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    // Not a currency code Intl accepts: two decimals, the most common.
    return 2;
  }
}

/** 1250, 2 → "12.50"; -5, 2 → "-0.05". */
export function minorToDecimal(minor: number, decimals: number): `${number}` {
  const digits = Math.abs(Math.trunc(minor))
    .toString()
    .padStart(decimals + 1, '0');
  const whole = digits.slice(0, digits.length - decimals);
  const fraction = decimals > 0 ? `.${digits.slice(-decimals)}` : '';
  return `${minor < 0 ? '-' : ''}${whole}${fraction}` as `${number}`;
}

/** An amount for people: "€12.50" in English, "12,50 €" in French. */
export function formatMoney(
  language: string,
  minor: number,
  currency: string,
  opts: { signed?: boolean } = {},
): string {
  const decimal = minorToDecimal(minor, currencyDecimals(currency));
  try {
    return new Intl.NumberFormat(language, {
      style: 'currency',
      currency,
      ...(opts.signed ? { signDisplay: 'exceptZero' as const } : {}),
    }).format(decimal);
  } catch {
    // A code Intl does not know is still shown, with its amount.
    return `${decimal} ${currency}`;
  }
}

/**
 * What a person typed ("12.50", "12,5", "12") in minor units of the currency; null when it is not
 * an amount (letters, more decimals than the currency has, zero, beyond exact integers).
 */
export function parseAmount(text: string, currency: string): number | null {
  const match = DECIMAL.exec(text.replace(/[\s\u00a0\u202f]/g, ''));
  if (!match) return null;
  const decimals = currencyDecimals(currency);
  const fraction = match[2] ?? '';
  if (fraction.length > decimals) return null;
  const minor = Number(`${match[1]}${fraction.padEnd(decimals, '0')}`);
  return Number.isSafeInteger(minor) && minor > 0 ? minor : null;
}
