/**
 * The SDK's base64 and UTF-8 helpers (sdk/app/encoding.ts), which apps use in an isolate that
 * has no Buffer, atob, TextEncoder or TextDecoder, checked here against Node's own on edge cases
 * and on many random inputs. The inputs come from a seeded generator: a failure repeats.
 */
import { describe, expect, it } from 'vitest';
import { decodeBase64, decodeUtf8, encodeBase64, encodeUtf8 } from '../sdk/index.js';
import { mulberry32 } from './support/seeded-random.js';

const random = mulberry32(0x5eed);
const int = (below: number) => Math.floor(random() * below);
const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
const randomBytes = (length: number) => Uint8Array.from({ length }, () => int(256));

/** Bytes that hit the UTF-8 decoder's every branch: lead bytes of each length, their limits, strays. */
const UTF8_BYTE_KINDS: readonly (() => number)[] = [
  () => int(0x80),
  () => 0x80 + int(0x40), // continuation
  () => 0xc0 + int(2), // never valid
  () => 0xc2 + int(0x1e),
  () => pick([0xe0, 0xed]),
  () => 0xe1 + int(0x0f),
  () => pick([0xf0, 0xf4]),
  () => 0xf1 + int(3),
  () => 0xf5 + int(0x0b), // never valid
  () => pick([0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf]), // the bounds of second bytes
];
const randomUtf8ish = (length: number) => Uint8Array.from({ length }, () => pick(UTF8_BYTE_KINDS)());

/** Code units from every range: ASCII, two and three bytes, both halves of surrogates (paired or not). */
const UNIT_KINDS: readonly (() => string)[] = [
  () => String.fromCharCode(int(0x80)),
  () => String.fromCharCode(0x80 + int(0x780)),
  () => String.fromCharCode(0x800 + int(0xd000)),
  () => String.fromCharCode(0xe000 + int(0x2000)),
  () => String.fromCharCode(0xd800 + int(0x400)),
  () => String.fromCharCode(0xdc00 + int(0x400)),
  () => String.fromCodePoint(0x10000 + int(0x100000)),
  () => pick(['\ufeff', '\ufffd', '\u{10ffff}', '\0', '😀']),
];
const randomText = (length: number) => Array.from({ length }, () => pick(UNIT_KINDS)()).join('');

const bufferBase64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
/** Large arrays compared as buffers: vitest's deep equality walks them element by element. */
const sameBytes = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));
/** atob's answer as bytes, or the name of what it threw. */
function atobBytes(text: string): Uint8Array | string {
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch (err) {
    return (err as Error).name;
  }
}
function ours(text: string): Uint8Array | string {
  try {
    return decodeBase64(text);
  } catch (err) {
    expect(err).toBeInstanceOf(SyntaxError);
    return 'InvalidCharacterError';
  }
}

describe('base64', () => {
  it('encodes as Buffer does, and decodes back, at every length around the padding', () => {
    for (let length = 0; length < 64; length++) {
      for (let n = 0; n < 20; n++) {
        const bytes = randomBytes(length);
        const text = encodeBase64(bytes);
        expect(text).toBe(bufferBase64(bytes));
        expect(decodeBase64(text)).toEqual(new Uint8Array(bytes));
      }
    }
    expect(encodeBase64(new Uint8Array([0xfb, 0xff, 0xbf]))).toBe('+/+/');
  });

  it('handles what crosses in one attachments call (512 KiB), and views into a larger buffer', () => {
    const bytes = randomBytes(512 * 1024);
    const text = encodeBase64(bytes);
    expect(text).toBe(bufferBase64(bytes));
    expect(sameBytes(decodeBase64(text), bytes)).toBe(true);
    const view = bytes.subarray(5, 1005);
    expect(encodeBase64(view)).toBe(bufferBase64(view));
  });

  it('reads what atob reads (no padding, whitespace) and refuses what it refuses', () => {
    for (const text of [
      '',
      'aGk',
      'aGk=',
      'aGk==',
      'a',
      'aGk=x',
      'a=Gk',
      'aG k=\n',
      '\t\f\r',
      'aGk*',
      'aGk-',
      'aGk_',
      '====',
    ]) {
      expect(ours(text), JSON.stringify(text)).toEqual(atobBytes(text));
    }
    // Random text over the alphabet, padding, whitespace and a few characters outside it.
    const chars = 'ABCXYZabcxyz0189+/'.split('').concat(['=', '=', ' ', '\n', '-', '_', '*', 'é']);
    for (let n = 0; n < 5000; n++) {
      const text = Array.from({ length: int(14) }, () => pick(chars)).join('');
      expect(ours(text), JSON.stringify(text)).toEqual(atobBytes(text));
    }
  });
});

describe('UTF-8', () => {
  it('encodes as TextEncoder does: astral characters as four bytes, lone surrogates as U+FFFD', () => {
    const encoder = new TextEncoder();
    for (const text of [
      '',
      'a',
      'é',
      '€',
      '😀',
      '\ud800',
      '\udc00',
      '\udc00\ud800',
      'a\ud83d',
      '\ud83d\ude00\ude00',
      '\u{10ffff}',
      '\0',
    ]) {
      expect(encodeUtf8(text), JSON.stringify(text)).toEqual(encoder.encode(text));
    }
    for (let n = 0; n < 3000; n++) {
      const text = randomText(int(40));
      expect(encodeUtf8(text), JSON.stringify(text)).toEqual(encoder.encode(text));
    }
    const long = randomText(100_000);
    expect(sameBytes(encodeUtf8(long), encoder.encode(long))).toBe(true);
  });

  it('decodes as TextDecoder does: U+FFFD for each ill-formed part, a leading BOM dropped', () => {
    const decoder = new TextDecoder();
    const cases = [
      [],
      [0xef, 0xbb, 0xbf, 0x61], // BOM, dropped
      [0x61, 0xef, 0xbb, 0xbf], // not at the start: kept
      [0xef, 0xbb],
      [0xc0, 0x80], // overlong NUL
      [0xe0, 0x80, 0x80], // overlong
      [0xed, 0xa0, 0x80], // a surrogate
      [0xf4, 0x90, 0x80, 0x80], // past U+10FFFF
      [0xf0, 0x9f, 0x98], // cut short at the end
      [0xf0, 0x9f, 0x98, 0x41],
      [0xe2, 0x82, 0xac, 0x80],
      [0xff, 0xfe, 0x41],
      [0xf0, 0x9f, 0x98, 0x80],
    ];
    for (const bytes of cases) {
      expect(decodeUtf8(new Uint8Array(bytes)), JSON.stringify(bytes)).toBe(decoder.decode(new Uint8Array(bytes)));
    }
    for (let n = 0; n < 5000; n++) {
      const bytes = n % 2 ? randomUtf8ish(int(24)) : randomBytes(int(24));
      expect(decodeUtf8(bytes), JSON.stringify([...bytes])).toBe(decoder.decode(bytes));
    }
    const long = randomUtf8ish(200_000);
    expect(decodeUtf8(long)).toBe(decoder.decode(long));
  });

  it('round-trips any text, lone surrogates aside, through UTF-8 and base64 as Buffer does', () => {
    for (let n = 0; n < 1000; n++) {
      const text = randomText(int(30));
      const data = encodeBase64(encodeUtf8(text));
      expect(data).toBe(Buffer.from(text, 'utf8').toString('base64'));
      expect(decodeUtf8(decodeBase64(data))).toBe(new TextDecoder().decode(Buffer.from(data, 'base64')));
    }
    const wellFormed = 'Grüße, 世界 😀 𝄞';
    expect(decodeUtf8(decodeBase64(encodeBase64(encodeUtf8(wellFormed))))).toBe(wellFormed);
  });
});
