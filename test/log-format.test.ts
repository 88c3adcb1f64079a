/**
 * Log format (issue 14, observability): JSON lines when stdout is not a terminal (the default in
 * tests, and on any pipe), readable pino-pretty lines with `log.format: "pretty"`. Both against a
 * host process started exactly like `npm start`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventually } from './support/eventually.js';
import { freePort, repoRoot, writeConfig } from './support/e2e.js';
import { spawnHost } from './support/child-host.js';
import { outputFormat } from '../host/logging/logger.js';
import { resolveConfig } from '../host/config/load-config.js';

// Matched as the JSON field: a bare id can also be part of the temporary directory's name, which the listening line shows.
const REQUEST_ID = 'pretty-1';
const REQUEST_FIELD = `"requestId":"${REQUEST_ID}"`;

describe('log format', () => {
  it('auto is pretty on a terminal and JSON on anything else; json and pretty are forced', () => {
    expect(outputFormat('auto', true)).toBe('pretty');
    expect(outputFormat('auto', false)).toBe('json');
    expect([outputFormat('json', true), outputFormat('pretty', false)]).toEqual(['json', 'pretty']);
    expect(resolveConfig({}).log.format).toBe('auto');
    expect(() => resolveConfig({ log: { format: 'yaml' } })).toThrow(/\/log\/format/);
  });

  it('log.format "pretty" writes readable lines, request lines included', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-pretty-'));
    const port = await freePort();
    const file = writeConfig({
      server: { host: '127.0.0.1', port },
      database: { url: `sqlite:${join(dir, 'sb.db')}` },
      dataDir: dir,
      log: { level: 'info', format: 'pretty' },
    });
    const child = spawn(process.execPath, ['--no-node-snapshot', '--import', 'tsx', 'host/main.ts', '--config', file], {
      cwd: repoRoot,
      env: { ...process.env, DATABASE_URL: '', SWITCHBOARD_CONFIG: '', PORT: '', SWITCHBOARD_LOG_FORMAT: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise((res) => child.once('exit', res));
    try {
      await eventually(
        () => {
          if (child.exitCode !== null) throw new Error(`the host exited: ${out}${stderr}`);
          return out.includes('listening');
        },
        { timeoutMs: 45_000, what: 'the listening line' },
      );
      const res = await fetch(`http://127.0.0.1:${port}/v1/me`, { headers: { 'x-request-id': REQUEST_ID } });
      expect(res.status).toBe(401);
      await eventually(() => out.includes(REQUEST_FIELD), { what: `the request line in:\n${out}${stderr}` });
      const lines = out.split('\n').filter((l) => l.trim() !== '');
      expect(
        lines.filter((l) => l.startsWith('{')),
        out,
      ).toEqual([]);
      expect(
        lines.some((l) => /INFO.*listening/.test(l)),
        out,
      ).toBe(true);
      expect(
        lines.find((l) => l.includes(REQUEST_FIELD)),
        out,
      ).toMatch(/INFO.*request.*"status":401/);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });

  it('without a terminal (and no log.format) the host writes JSON lines', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-json-'));
    const child = await spawnHost({
      config: { database: { url: `sqlite:${join(dir, 'sb.db')}` }, dataDir: dir, log: { level: 'info' } },
      env: { SWITCHBOARD_LOG_FORMAT: '' },
      timeoutMs: 45_000,
    });
    try {
      const res = await fetch(`${child.url}/v1/me`, { headers: { 'x-request-id': 'json-1' } });
      expect(res.status).toBe(401);
      const line = await eventually(() =>
        child
          .output()
          .split('\n')
          .find((l) => l.includes('"json-1"')),
      );
      expect(JSON.parse(line)).toMatchObject({ level: 30, msg: 'request', requestId: 'json-1', status: 401 });
    } finally {
      await child.kill('SIGTERM');
    }
  });
});
