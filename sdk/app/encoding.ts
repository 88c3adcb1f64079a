/**
 * Base64 and UTF-8 for apps. An app's isolate has no Buffer, atob, btoa, TextEncoder or
 * TextDecoder, yet files cross the sandbox boundary as base64 text (`attachments.upload`'s
 * `data`, `attachments.read`'s answer). These are plain JavaScript over typed arrays, with no
 * state at module level, so an app's bundle carries only the ones it imports and they run
 * anywhere: in the isolate, in a trusted plugin, in a browser.
 *
 *   const data = encodeBase64(encodeUtf8('Grüße 👋'));          // for attachments.upload
 *   const text = decodeUtf8(decodeBase64(read.data));            // from attachments.read
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const REPLACEMENT = 0xfffd;
/** Code units per String.fromCharCode call: far below any engine's limit on arguments. */
const CHUNK = 0x2000;

/** The string of the first `length` code units of `codes`, made a chunk at a time. */
function stringOf(codes: Uint8Array | Uint16Array, length: number): string {
  const parts: string[] = [];
  for (let i = 0; i < length; i += CHUNK) {
    // apply takes any array-like: the typed array is read as it is, several times faster than
    // spreading it into arguments (this is the isolate's CPU time, counted against the app).
    const chunk = codes.subarray(i, Math.min(i + CHUNK, length)) as unknown as number[];
    parts.push(String.fromCharCode.apply(null, chunk));
  }
  return parts.join('');
}

/** A base64 character's six bits, or -1 for a character outside the standard alphabet. */
function sextet(code: number): number {
  if (code >= 65 && code <= 90) return code - 65; // A-Z
  if (code >= 97 && code <= 122) return code - 71; // a-z
  if (code >= 48 && code <= 57) return code + 4; // 0-9
  if (code === 43) return 62; // +
  if (code === 47) return 63; // /
  return -1;
}

/** Base64 of `bytes`: standard alphabet (+ and /), padded with =, as `attachments.upload` takes it. */
export function encodeBase64(bytes: Uint8Array): string {
  const out = new Uint8Array(Math.ceil(bytes.length / 3) * 4);
  let o = 0;
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out[o++] = ALPHABET.charCodeAt(n >>> 18);
    out[o++] = ALPHABET.charCodeAt((n >>> 12) & 63);
    out[o++] = ALPHABET.charCodeAt((n >>> 6) & 63);
    out[o++] = ALPHABET.charCodeAt(n & 63);
  }
  const rest = bytes.length - i;
  if (rest > 0) {
    const n = (bytes[i]! << 16) | (rest === 2 ? bytes[i + 1]! << 8 : 0);
    out[o++] = ALPHABET.charCodeAt(n >>> 18);
    out[o++] = ALPHABET.charCodeAt((n >>> 12) & 63);
    out[o++] = rest === 2 ? ALPHABET.charCodeAt((n >>> 6) & 63) : 61; // =
    out[o++] = 61;
  }
  return stringOf(out, o);
}

/**
 * The bytes of base64 `text`, read as `atob` reads it: the standard alphabet, padding optional,
 * ASCII whitespace ignored. Anything else (a character outside the alphabet, = inside the text,
 * a length no bytes encode to) throws a SyntaxError rather than decoding to something else.
 */
export function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  let s = /[\t\n\f\r ]/.test(text) ? text.replace(/[\t\n\f\r ]+/g, '') : text;
  if (s.length % 4 === 0) s = s.endsWith('==') ? s.slice(0, -2) : s.endsWith('=') ? s.slice(0, -1) : s;
  if (s.length % 4 === 1) throw new SyntaxError(`Not base64: ${s.length} characters encode no whole byte.`);
  const out = new Uint8Array(Math.floor((s.length * 3) / 4));
  let bits = 0;
  let held = 0;
  let o = 0;
  for (let i = 0; i < s.length; i++) {
    const value = sextet(s.charCodeAt(i));
    if (value < 0) throw new SyntaxError(`Not base64: ${JSON.stringify(s[i])} at ${i} is outside its alphabet.`);
    bits = ((bits << 6) | value) & 0xffffff;
    held += 6;
    if (held >= 8) {
      held -= 8;
      out[o++] = (bits >>> held) & 0xff;
    }
  }
  return out;
}

/**
 * The UTF-8 bytes of `text`, as TextEncoder gives them: a lone surrogate (half of a pair, which
 * UTF-8 cannot carry) becomes U+FFFD.
 */
export function encodeUtf8(text: string): Uint8Array<ArrayBuffer> {
  // Counted first, so the bytes are written once into an array of the right size.
  let size = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) size += 1;
    else if (c < 0x800) size += 2;
    else if (c >= 0xd800 && c <= 0xdbff && isLowSurrogate(text.charCodeAt(i + 1))) {
      size += 4;
      i++;
    } else size += 3;
  }
  const out = new Uint8Array(size);
  let o = 0;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      out[o++] = c;
    } else if (c < 0x800) {
      out[o++] = 0xc0 | (c >> 6);
      out[o++] = 0x80 | (c & 63);
    } else if (c >= 0xd800 && c <= 0xdbff && isLowSurrogate(text.charCodeAt(i + 1))) {
      const point = 0x10000 + ((c - 0xd800) << 10) + (text.charCodeAt(++i) - 0xdc00);
      out[o++] = 0xf0 | (point >> 18);
      out[o++] = 0x80 | ((point >> 12) & 63);
      out[o++] = 0x80 | ((point >> 6) & 63);
      out[o++] = 0x80 | (point & 63);
    } else {
      if (c >= 0xd800 && c <= 0xdfff) c = REPLACEMENT;
      out[o++] = 0xe0 | (c >> 12);
      out[o++] = 0x80 | ((c >> 6) & 63);
      out[o++] = 0x80 | (c & 63);
    }
  }
  return out;
}

const isLowSurrogate = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/**
 * The text of UTF-8 `bytes`, as `new TextDecoder().decode(bytes)` gives it: each ill-formed
 * sequence (a stray continuation byte, an overlong form, a surrogate, a code point past
 * U+10FFFF, a character cut short) becomes U+FFFD, one per maximal invalid part as the Encoding
 * standard says; a byte order mark at the start is dropped.
 */
export function decodeUtf8(bytes: Uint8Array): string {
  // A byte never gives more than one UTF-16 code unit (four bytes give two).
  const units = new Uint16Array(bytes.length);
  let u = 0;
  let point = 0;
  let needed = 0;
  let seen = 0;
  let lower = 0x80;
  let upper = 0xbf;
  const start = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  for (let i = start; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (needed === 0) {
      if (b < 0x80) units[u++] = b;
      else if (b >= 0xc2 && b <= 0xdf) {
        needed = 1;
        point = b & 0x1f;
      } else if (b >= 0xe0 && b <= 0xef) {
        // No overlong forms (E0 80-9F) and no surrogates (ED A0-BF).
        if (b === 0xe0) lower = 0xa0;
        if (b === 0xed) upper = 0x9f;
        needed = 2;
        point = b & 0xf;
      } else if (b >= 0xf0 && b <= 0xf4) {
        // No overlong forms (F0 80-8F) and nothing past U+10FFFF (F4 90-BF).
        if (b === 0xf0) lower = 0x90;
        if (b === 0xf4) upper = 0x8f;
        needed = 3;
        point = b & 0x7;
      } else units[u++] = REPLACEMENT;
      continue;
    }
    if (b < lower || b > upper) {
      // The sequence so far is one U+FFFD; this byte starts afresh.
      needed = seen = point = 0;
      lower = 0x80;
      upper = 0xbf;
      units[u++] = REPLACEMENT;
      i--;
      continue;
    }
    lower = 0x80;
    upper = 0xbf;
    point = (point << 6) | (b & 63);
    if (++seen < needed) continue;
    if (point > 0xffff) {
      units[u++] = 0xd800 + ((point - 0x10000) >> 10);
      units[u++] = 0xdc00 + ((point - 0x10000) & 0x3ff);
    } else units[u++] = point;
    needed = seen = point = 0;
  }
  if (needed > 0) units[u++] = REPLACEMENT;
  return stringOf(units, u);
}
