/** Figures of the apps' health for people: memory in KiB or MiB, times in ms or s, in the reader's language. */
export function formatBytes(language: string, bytes: number | null): string {
  if (bytes === null) return '—';
  const mib = bytes / (1024 * 1024);
  const [value, unit] = mib >= 1 ? [mib, 'MiB'] : [bytes / 1024, 'KiB'];
  return `${new Intl.NumberFormat(language, { maximumFractionDigits: 1 }).format(value)} ${unit}`;
}

export function formatMs(language: string, ms: number): string {
  if (ms < 1000) return `${new Intl.NumberFormat(language, { maximumFractionDigits: 0 }).format(ms)} ms`;
  return `${new Intl.NumberFormat(language, { maximumFractionDigits: 1 }).format(ms / 1000)} s`;
}

export function formatCount(language: string, count: number): string {
  return new Intl.NumberFormat(language).format(count);
}
