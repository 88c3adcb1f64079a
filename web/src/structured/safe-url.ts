/**
 * The only URLs the client turns into links or images: absolute http(s) URLs. The host checks the
 * URLs of the types it knows, but a plugin's own type may carry anything, and a `javascript:` or
 * `data:` link must never reach an href, so every URL from a message goes through here.
 */
export function safeHttpUrl(value: unknown): string | null {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2000) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // Not an absolute URL (relative, or garbage): nothing to open.
    return null;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
}
