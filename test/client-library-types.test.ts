/**
 * The client library ships as TypeScript source, so an app compiles it with its own settings. It
 * must compile, with the wire types an app needs exported from its entry, as a browser app (ES2022
 * and DOM, no @types/node) and as a Node app (ES2022 and @types/node) would compile it, under
 * `strict` and the stricter flags apps often add.
 */
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const app = join(root, 'test/fixtures/client-app/chat-app.ts');

const stricter = {
  strict: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  noPropertyAccessFromIndexSignature: true,
  noEmit: true,
  skipLibCheck: true,
};

const apps: Record<string, Record<string, unknown>> = {
  'a browser app (ES2022 and DOM, bundler resolution)': {
    target: 'ES2022',
    lib: ['ES2022', 'DOM'],
    module: 'ESNext',
    moduleResolution: 'Bundler',
    types: [],
  },
  'a Node app (ES2022 and @types/node, NodeNext)': {
    target: 'ES2022',
    lib: ['ES2022'],
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    types: ['node'],
  },
};

function compile(settings: Record<string, unknown>): string[] {
  const { options, errors } = ts.convertCompilerOptionsFromJson({ ...stricter, ...settings }, root);
  expect(errors).toEqual([]);
  const program = ts.createProgram([app], options);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file
      ? `${relative(root, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}`
      : '';
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}

describe('client library: its types, compiled as part of an app', () => {
  for (const [name, settings] of Object.entries(apps)) {
    it(`compiles in ${name}`, () => {
      expect(compile(settings)).toEqual([]);
    });
  }
});
