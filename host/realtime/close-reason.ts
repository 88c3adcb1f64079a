/**
 * A WebSocket close reason is at most 123 bytes of UTF-8 (RFC 6455 §5.5: 125 bytes of payload, 2
 * of them the code); ws refuses a longer one. Longer reasons are cut at a character boundary.
 */
export function fitCloseReason(reason: string): string {
  if (Buffer.byteLength(reason) <= 123) return reason;
  let out = '';
  for (const ch of reason) {
    if (Buffer.byteLength(out + ch) > 120) break;
    out += ch;
  }
  return `${out}…`;
}
