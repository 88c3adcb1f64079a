/**
 * The host's process frees short-lived Buffers (an upload's megabytes) by young-generation
 * scavenges, not by full collections of the whole heap: host/runtime/buffer-gc.ts sets the V8 flag
 * for it, and the entry point imports it before anything else.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runScript } from './support/child-host.js';

const churn = 'test/fixtures/scripts/buffer-churn.ts';

describe('garbage collection of Buffers in the host process', () => {
  it('frees half a gigabyte of dropped 1 MiB Buffers without a full collection', async () => {
    const run = await runScript(churn, ['--with-host-flags']);
    expect(run.code, run.output).toBe(0);
    expect(run.stderr).toBe('');
    const lines = run.stdout.trim().split('\n');
    expect(JSON.parse(lines.at(-1)!)).toEqual({ checksum: 7936 });
    // V8's trace names each collection: a scavenge (or minor mark-sweep) is minor, mark-compact major.
    const kinds = {
      minor: lines.filter((l) => /: (Scavenge|Minor Mark-Sweep) /.test(l)).length,
      major: lines.filter((l) => /: Mark-Compact /.test(l)).length,
    };
    expect(kinds.minor).toBeGreaterThan(0);
    // Without the flag, Node 24 ran five here and no scavenge at all.
    expect(kinds.major).toBeLessThanOrEqual(1);
  });

  it('is set by the entry point before any other module runs', () => {
    const main = readFileSync('host/main.ts', 'utf8');
    const firstImport = /^import\s[^;]*;/m.exec(main)?.[0];
    expect(firstImport).toBe("import './runtime/buffer-gc.js';");
  });
});
