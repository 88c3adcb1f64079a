/**
 * The text formatting rules of the client library (sdk/protocol/text-formatting.ts, exported by the client library), pure logic
 * tested directly: which markers count, as WhatsApp reads them, and what is left without them.
 */
import { describe, expect, it } from 'vitest';
import { formatSpans, formatTree, stripFormatting, type KeptRange } from '../sdk/client/index.js';

/** The spans of a text as `style:content`, in the order they start. */
const spansOf = (text: string, keep: readonly KeptRange[] = []) =>
  formatSpans(text, keep).map((s) => `${s.style}:${text.slice(s.contentStart, s.contentEnd)}`);

describe('text formatting', () => {
  it('reads each marker, and hides it', () => {
    expect(spansOf('*bold* _italic_ ~struck~ `code`')).toEqual([
      'bold:bold',
      'italic:italic',
      'strike:struck',
      'code:code',
    ]);
    expect(stripFormatting('Hi *there*, see _this_ ~now~!')).toBe('Hi there, see this now!');
    expect(formatSpans('a *b* c')).toEqual([{ style: 'bold', start: 2, end: 5, contentStart: 3, contentEnd: 4 }]);
  });

  it('opens only at the start or after whitespace or punctuation, and closes only before them or the end', () => {
    for (const text of ['(*a*)', '"_a_"', '*a*.', 'x: ~a~,', '¿*a*?', '😀*a*😀', '*a*']) {
      expect(spansOf(text), text).toHaveLength(1);
    }
    for (const text of ['2*3*4', 'snake_case_names', 'a*b*', '*a*b', 'x_y_', 'my_var_ and _x', 'e~a~e']) {
      expect(spansOf(text), text).toEqual([]);
    }
  });

  it('takes no empty content, nor content starting or ending with whitespace', () => {
    for (const text of ['**', '* b*', '*b *', '* *', '_ _', '` `', 'a * b * c', '*', '~']) {
      expect(spansOf(text), text).toEqual([]);
    }
  });

  it('leaves doubled markers plain', () => {
    for (const text of ['**bold**', '__init__', '~~gone~~', '***', '``a``']) {
      expect(spansOf(text), text).toEqual([]);
    }
  });

  it('keeps a marker to its line', () => {
    expect(spansOf('*a\nb*')).toEqual([]);
    expect(spansOf('*a*\n_b_')).toEqual(['bold:a', 'italic:b']);
    expect(spansOf('`a\nb`')).toEqual([]);
  });

  it('closes at the nearest closer, and a span never crosses another', () => {
    expect(spansOf('*a* b*')).toEqual(['bold:a']);
    expect(spansOf('*a *b* c*')).toEqual(['bold:a *b']);
    expect(spansOf('*a _b* c_')).toEqual(['bold:a _b']);
  });

  it('nests different markers', () => {
    expect(spansOf('*_both_*')).toEqual(['bold:_both_', 'italic:both']);
    expect(spansOf('_*both*_')).toEqual(['italic:*both*', 'bold:both']);
    expect(spansOf('~*_all three_*~')).toEqual(['strike:*_all three_*', 'bold:_all three_', 'italic:all three']);
    expect(stripFormatting('*a _b_ ~c~ d*')).toBe('a b c d');
    expect(formatTree('*a _b_* c')).toEqual([
      {
        type: 'bold',
        start: 1,
        end: 6,
        children: [
          { type: 'text', start: 1, end: 3 },
          { type: 'italic', start: 4, end: 5, children: [{ type: 'text', start: 4, end: 5 }] },
        ],
      },
      { type: 'text', start: 7, end: 9 },
    ]);
  });

  it('shows code as it is: nothing inside is formatting', () => {
    expect(spansOf('`*not bold* _nor this_`')).toEqual(['code:*not bold* _nor this_']);
    expect(stripFormatting('`2*3*4` and `a_b`')).toBe('2*3*4 and a_b');
    // Code is found first: a bold marker inside it closes nothing outside.
    expect(spansOf('*a `b* c`')).toEqual(['code:b* c']);
    // Code inside bold is code, in bold.
    expect(spansOf('*see `x`*')).toEqual(['bold:see `x`', 'code:x']);
    expect(formatTree('*see `x`*')).toEqual([
      {
        type: 'bold',
        start: 1,
        end: 8,
        children: [
          { type: 'text', start: 1, end: 5 },
          { type: 'code', start: 6, end: 7 },
        ],
      },
    ]);
  });

  it('reads code blocks over lines, hiding the line breaks right inside their fences', () => {
    const block = 'Try:\n```\nconst a = *b*;\n  _c_();\n```\ndone';
    expect(spansOf(block)).toEqual(['pre:const a = *b*;\n  _c_();']);
    expect(stripFormatting(block)).toBe('Try:\nconst a = *b*;\n  _c_();\ndone');
    expect(spansOf('run ```ls -l``` now')).toEqual(['pre:ls -l']);
    expect(spansOf('```\r\nwindows\r\n```')).toEqual(['pre:windows']);
    // A single backtick inside a block is the block's; a fence is exactly three backticks.
    expect(spansOf('```a `b` c```')).toEqual(['pre:a `b` c']);
    for (const text of ['```unclosed', '``` ```', '```\n\n```', 'x```a```', '```a```x', '````a````']) {
      expect(spansOf(text), text).toEqual([]);
    }
  });

  it('never cuts a web address', () => {
    for (const text of [
      'https://example.com/_private_/x',
      'see https://example.com/a_b_c and www.snake_case.org/_x_',
      'http://x.org/?q=*a*&r=~b~',
    ]) {
      expect(spansOf(text), text).toEqual([]);
    }
    // Markers around it still count.
    expect(spansOf('*https://example.com/_a_*')).toEqual(['bold:https://example.com/_a_']);
    expect(spansOf('_see www.example.org/x_y_.')).toEqual(['italic:see www.example.org/x_y']);
  });

  it('keeps kept ranges (mention entities) whole', () => {
    const text = '_hi @bob_';
    // @bob_ is a handle: its underscore is the mention's, not a closing marker.
    expect(spansOf(text, [{ offset: 4, length: 5 }])).toEqual([]);
    expect(spansOf(text)).toEqual(['italic:hi @bob']);
    expect(spansOf('*@ada* *x@ada*', [{ offset: 1, length: 4 }])).toEqual(['bold:@ada', 'bold:x@ada']);
    // Out of range or empty kept ranges change nothing.
    expect(
      spansOf('*a*', [
        { offset: -3, length: 2 },
        { offset: 9, length: 4 },
      ]),
    ).toEqual(['bold:a']);
  });

  it('counts offsets in UTF-16 code units, as mention entities do', () => {
    const text = '😀 *ünï* 👍🏽_x_';
    expect(formatSpans(text).map((s) => [s.start, s.end])).toEqual([
      [3, 8],
      [13, 16],
    ]);
    expect(stripFormatting(text)).toBe('😀 ünï 👍🏽x');
  });

  it('reads long texts of unmatched markers in linear time', () => {
    const text = '*a _b ~c `d '.repeat(20_000);
    const word = `www.${'_*'.repeat(50_000)}x`;
    const started = performance.now();
    expect(formatSpans(text)).toEqual([]);
    expect(formatSpans(word)).toEqual([]);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
