/**
 * The error catalog and the documentation stay in step: every code is in docs/errors.md with its
 * HTTP status, and every close code is in the close-code table of docs/protocol.md.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorCatalog, type ErrorSpec } from '../sdk/errors/error-catalog.js';

const docsDir = new URL('../docs/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, docsDir), 'utf8');
const entries = Object.entries(errorCatalog) as [string, ErrorSpec][];

/** Lines of a Markdown file that mention `code` in backticks. */
const linesNaming = (text: string, code: string) => text.split('\n').filter((line) => line.includes(`\`${code}\``));
const hasNumber = (line: string, n: number) => new RegExp(`(^|[^0-9])${n}([^0-9]|$)`).test(line);

describe('docs/errors.md', () => {
  it.each(entries)('documents `%s` with its HTTP status', (code, spec) => {
    const lines = linesNaming(read('errors.md'), code);
    expect(lines.length, `\`${code}\` is not in docs/errors.md`).toBeGreaterThan(0);
    expect(
      lines.some((line) => hasNumber(line, spec.status)),
      `\`${code}\` is not documented with status ${spec.status}`,
    ).toBe(true);
  });
});

describe('docs/protocol.md', () => {
  const withClose = entries.filter(([, spec]) => spec.closeCode !== undefined);

  it('the catalog has close codes to document', () => {
    expect(withClose.length).toBeGreaterThan(0);
  });

  it.each(withClose)('lists `%s` with its close code in the close-code table', (code, spec) => {
    const rows = linesNaming(read('protocol.md'), code).filter((line) => line.trimStart().startsWith('|'));
    expect(
      rows.some((row) => hasNumber(row, spec.closeCode!)),
      `${code} ${spec.closeCode}`,
    ).toBe(true);
  });
});
