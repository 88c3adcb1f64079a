/** Bytes in words a person reads (1 KB = 1,000 bytes, as file managers show them). */
export function sizeText(bytes: number, language: string): string {
  const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte'] as const;
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  // Intl's short "byte" takes no plural ("21 byte"); the long form does ("21 bytes", "21 octets").
  const unitDisplay = unit === 0 ? 'long' : 'short';
  return new Intl.NumberFormat(language, {
    style: 'unit',
    unit: units[unit],
    unitDisplay,
    maximumFractionDigits: 1,
  }).format(value);
}
