/**
 * Text formatting, the convention every Switchboard client shows alike (docs/protocol.md#text-formatting):
 * `*bold*`, `_italic_`, `~strikethrough~`, `` `code` `` and ```` ```code blocks``` ````. The host
 * stores a text as sent; the rules live here alone, so that every client reads a text the same way.
 * Offsets count UTF-16 code units, as mention entities' do, so the two compose.
 *
 * The rules, as WhatsApp's:
 * - A marker is one character with none of its kind beside it (`**a**`, `__init__` stay plain); a
 *   code block's fence is exactly three backticks.
 * - It opens at the start of the text or after whitespace or punctuation (symbols included), before
 *   a character that is not whitespace; it closes after a character that is not whitespace, before
 *   whitespace, punctuation or the end. So `2*3*4` and `snake_case_names` stay plain.
 * - The nearest such closer on the same line closes it; a marker that finds none is plain text.
 *   Only code blocks span lines.
 * - Code is found first (blocks, then inline): nothing inside it is formatting. Bold, italic and
 *   strikethrough nest in one another (`*_both_*`); a span never crosses another's edge (the one
 *   opened first wins).
 * - No character inside a web address (a word with `://` or starting `www.`) or inside a kept range
 *   (the message's mention entities) is a marker, so neither is ever cut.
 * - Markers are hidden when shown; so is a line break right inside a code block's fences.
 */

export type TextStyle = 'bold' | 'italic' | 'strike' | 'code' | 'pre';

/** A formatted stretch of a text: `pre` is a code block. Spans nest properly; code holds none. */
export interface FormatSpan {
  readonly style: TextStyle;
  /** Where the span is in the text, its markers included. */
  readonly start: number;
  readonly end: number;
  /** Where its content is: what a client shows, in that style. */
  readonly contentStart: number;
  readonly contentEnd: number;
}

/** A stretch of the text to keep whole, as a mention entity is (it has this shape). */
export interface KeptRange {
  readonly offset: number;
  readonly length: number;
}

/** What a client shows of a text: markers left out, content offsets into the text. */
export type FormatNode =
  /** Plain text, where mentions and links are. */
  | { readonly type: 'text'; readonly start: number; readonly end: number }
  /** Code, shown as it is: no mention, link or formatting inside. */
  | { readonly type: 'code' | 'pre'; readonly start: number; readonly end: number }
  | {
      readonly type: 'bold' | 'italic' | 'strike';
      readonly start: number;
      readonly end: number;
      readonly children: readonly FormatNode[];
    };

const EMPHASIS: Readonly<Record<string, 'bold' | 'italic' | 'strike'>> = { '*': 'bold', _: 'italic', '~': 'strike' };
const SPACE = /\s/u;
const BOUNDARY = /[\s\p{P}\p{S}]/u;
const LEADING = /^[*_~`([{<"'«“‘]*/;
const TRAILING = new Set('*_~`)]}>"\'»”’.,;:!?');
const ADDRESS = /:\/\/|^www\./i;

/** What one text's scan knows of each position. */
interface Scan {
  readonly text: string;
  /** 1 where no marker may be: kept ranges and web addresses. */
  readonly inert: Uint8Array;
  /** Inside code: the end of its span; 0 elsewhere. */
  readonly code: Int32Array;
  /** The next line break at or after each position (the text's length when none). */
  readonly newline: Int32Array;
}

/** The code point ending right before `i` ('' at the start), whole when it is a surrogate pair. */
function pointBefore(text: string, i: number): string {
  if (i <= 0) return '';
  const unit = text.charCodeAt(i - 1);
  return unit >= 0xdc00 && unit <= 0xdfff && i >= 2 ? text.slice(i - 2, i) : text.charAt(i - 1);
}

function pointAt(text: string, i: number): string {
  const point = text.codePointAt(i);
  return point === undefined ? '' : String.fromCodePoint(point);
}

function opens(scan: Scan, i: number, marker: string): boolean {
  const { text } = scan;
  if (text.charAt(i) !== marker || scan.inert[i] || scan.code[i]) return false;
  const before = pointBefore(text, i);
  const next = text.charAt(i + 1);
  return (
    (before === '' || (BOUNDARY.test(before) && before !== marker)) &&
    next !== '' &&
    !SPACE.test(next) &&
    next !== marker
  );
}

function closes(scan: Scan, j: number, marker: string): boolean {
  const { text } = scan;
  if (text.charAt(j) !== marker || scan.inert[j] || scan.code[j] || j === 0) return false;
  const prev = text.charAt(j - 1);
  const next = pointAt(text, j + 1);
  return !SPACE.test(prev) && prev !== marker && (next === '' || (BOUNDARY.test(next) && next !== marker));
}

/** For each position, the nearest closer of `marker` at or after it (the text's length when none). */
function closers(scan: Scan, marker: string): Int32Array {
  const n = scan.text.length;
  const next = new Int32Array(n + 1).fill(n);
  for (let j = n - 1; j >= 0; j--) next[j] = closes(scan, j, marker) ? j : next[j + 1]!;
  return next;
}

function inertPositions(text: string, keep: readonly KeptRange[]): Uint8Array {
  const inert = new Uint8Array(text.length);
  for (const range of keep) {
    // Clamped: a typed array's fill counts a negative position from its end.
    const start = Math.max(0, range.offset);
    const end = Math.min(text.length, range.offset + range.length);
    if (end > start) inert.fill(1, start, end);
  }
  for (const word of text.matchAll(/\S+/g)) {
    // The address without what may wrap it (markers, brackets, quotes, a sentence's punctuation).
    const lead = LEADING.exec(word[0])![0].length;
    let end = word[0].length;
    while (end > lead && TRAILING.has(word[0].charAt(end - 1))) end--;
    if (ADDRESS.test(word[0].slice(lead, end))) inert.fill(1, word.index + lead, word.index + end);
  }
  return inert;
}

/** Code blocks: a fence opens as any marker does; the nearest fence followed by a boundary closes it. */
function codeBlocks(scan: Scan, spans: FormatSpan[]): void {
  const { text } = scan;
  const fences = [...text.matchAll(/`+/g)].filter((run) => run[0].length === 3).map((run) => run.index);
  let k = 0;
  while (k < fences.length) {
    const p = fences[k]!;
    const before = pointBefore(text, p);
    let m = -1;
    if (!scan.inert[p] && (before === '' || BOUNDARY.test(before))) {
      for (let at = k + 1; at < fences.length && m === -1; at++) {
        const q = fences[at]!;
        if (!scan.inert[q] && (q + 3 === text.length || BOUNDARY.test(pointAt(text, q + 3)))) m = at;
      }
    }
    const q = m === -1 ? -1 : fences[m]!;
    if (q === -1 || !/\S/.test(text.slice(p + 3, q))) {
      k++;
      continue;
    }
    let contentStart = p + 3;
    if (text.startsWith('\r\n', contentStart)) contentStart += 2;
    else if (text.charAt(contentStart) === '\n') contentStart++;
    let contentEnd = q;
    if (contentEnd > contentStart && text.charAt(contentEnd - 1) === '\n') contentEnd--;
    if (contentEnd > contentStart && text.charAt(contentEnd - 1) === '\r') contentEnd--;
    spans.push({ style: 'pre', start: p, end: q + 3, contentStart, contentEnd });
    scan.code.fill(q + 3, p, q + 3);
    k = m + 1;
  }
}

/** Inline code, on one line between code blocks. */
function inlineCode(scan: Scan, spans: FormatSpan[]): void {
  const next = closers(scan, '`');
  // Where the next code block starts, at or after each position: inline code stops before it.
  const block = new Int32Array(scan.text.length + 1).fill(scan.text.length);
  for (let i = scan.text.length - 1; i >= 0; i--) block[i] = scan.code[i] ? i : block[i + 1]!;
  const found: FormatSpan[] = [];
  for (let i = 0; i < scan.text.length; i++) {
    if (scan.code[i]) {
      i = scan.code[i]! - 1;
      continue;
    }
    if (!opens(scan, i, '`')) continue;
    const j = next[i + 1]!;
    if (j >= scan.newline[i]! || j >= block[i]!) continue;
    found.push({ style: 'code', start: i, end: j + 1, contentStart: i + 1, contentEnd: j });
    i = j;
  }
  for (const span of found) scan.code.fill(span.end, span.start, span.end);
  spans.push(...found);
}

/** Bold, italic and strikethrough in [from, to), none of the markers `outer` (already open) again. */
function emphasis(
  scan: Scan,
  next: Readonly<Record<string, Int32Array>>,
  from: number,
  to: number,
  outer: string,
  spans: FormatSpan[],
): void {
  for (let i = from; i < to; i++) {
    if (scan.code[i]) {
      i = scan.code[i]! - 1;
      continue;
    }
    const marker = scan.text.charAt(i);
    const style = EMPHASIS[marker];
    if (style === undefined || outer.includes(marker) || !opens(scan, i, marker)) continue;
    const j = next[marker]![i + 1]!;
    if (j >= to || j >= scan.newline[i]!) continue;
    spans.push({ style, start: i, end: j + 1, contentStart: i + 1, contentEnd: j });
    emphasis(scan, next, i + 1, j, outer + marker, spans);
    i = j;
  }
}

/**
 * The formatted spans of `text`, in the order they start (a span before those inside it). `keep`
 * are ranges no marker may be inside: pass a message's `entities`, so a mention stays whole.
 */
export function formatSpans(text: string, keep: readonly KeptRange[] = []): FormatSpan[] {
  const newline = new Int32Array(text.length + 1).fill(text.length);
  for (let i = text.length - 1; i >= 0; i--) newline[i] = text.charAt(i) === '\n' ? i : newline[i + 1]!;
  const scan: Scan = { text, inert: inertPositions(text, keep), code: new Int32Array(text.length), newline };
  const spans: FormatSpan[] = [];
  codeBlocks(scan, spans);
  inlineCode(scan, spans);
  const next = Object.fromEntries(Object.keys(EMPHASIS).map((marker) => [marker, closers(scan, marker)]));
  emphasis(scan, next, 0, text.length, '', spans);
  return spans.sort((a, b) => a.start - b.start);
}

/** `text` as a client shows it: plain stretches and formatted ones, without the markers. */
export function formatTree(text: string, keep: readonly KeptRange[] = []): FormatNode[] {
  const spans = formatSpans(text, keep);
  let k = 0;
  const build = (from: number, to: number): FormatNode[] => {
    const nodes: FormatNode[] = [];
    let at = from;
    while (k < spans.length && spans[k]!.start < to) {
      const span = spans[k++]!;
      if (span.start > at) nodes.push({ type: 'text', start: at, end: span.start });
      const { style, contentStart: start, contentEnd: end } = span;
      nodes.push(
        style === 'code' || style === 'pre'
          ? { type: style, start, end }
          : { type: style, start, end, children: build(start, end) },
      );
      at = span.end;
    }
    if (to > at) nodes.push({ type: 'text', start: at, end: to });
    return nodes;
  };
  return build(0, text.length);
}

/** `text` without its markers: what a one-line preview of a message shows. */
export function stripFormatting(text: string, keep: readonly KeptRange[] = []): string {
  const words = (nodes: readonly FormatNode[]): string =>
    nodes.map((node) => ('children' in node ? words(node.children) : text.slice(node.start, node.end))).join('');
  return words(formatTree(text, keep));
}
