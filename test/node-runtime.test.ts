/**
 * The Node the host runs on: which release lines may run untrusted code, how a native module
 * built for another Node is reported (on a real dlopen failure), and the start-up log line.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { SwitchboardError } from '../sdk/errors/switchboard-error.js';
import { nativeModuleError, runtimeInfo, sandboxRuntimeError } from '../host/runtime/node-runtime.js';
import { startTestHost } from './support/start-test-host.js';

const FIX =
  'start the host through npm (npm start uses the Node 24 that npm install puts in node_modules/.bin/node), or run it with Node 24 LTS or newer';

describe('sandboxRuntimeError', () => {
  it('refuses Node 20 after its end of life, naming the version, the reason and the fix', () => {
    const err = sandboxRuntimeError(new Date('2026-12-01T12:00:00Z'), '20.20.2');
    expect(err).toBeInstanceOf(SwitchboardError);
    expect(err!.code).toBe('runtime_unsupported');
    expect(err!.message).toContain('Node 20.20.2');
    expect(err!.message).toContain('2026-04-30');
    expect(err!.message).toMatch(/no more V8 security fixes/);
    expect(err!.message).toMatch(/untrusted code needs a supported V8/);
    expect(err!.message).toMatch(/sandboxed apps are refused/i);
    expect(err!.message).toContain(FIX);
  });

  it('accepts Node 24 while it is supported, through its last day', () => {
    expect(sandboxRuntimeError(new Date('2026-12-01T12:00:00Z'), '24.21.0')).toBeNull();
    expect(sandboxRuntimeError(new Date('2028-04-30T23:59:59Z'), '24.21.0')).toBeNull();
    expect(sandboxRuntimeError(new Date('2026-12-01T12:00:00Z'), 'v26.1.0')).toBeNull();
  });

  it('refuses odd lines (never LTS, no isolated-vm build), whatever the date', () => {
    const err = sandboxRuntimeError(new Date('2026-01-15T00:00:00Z'), '25.2.1');
    expect(err?.code).toBe('runtime_unsupported');
    expect(err!.message).toContain('Node 25.2.1');
    expect(err!.message).toMatch(/never becomes LTS/);
    expect(err!.message).toContain('npm start');
  });

  it('refuses Node 24 after 2028-04-30, and points to the next supported line', () => {
    const err = sandboxRuntimeError(new Date('2028-05-01T00:00:00Z'), '24.21.0');
    expect(err?.code).toBe('runtime_unsupported');
    expect(err!.message).toContain('Node 24.21.0');
    expect(err!.message).toContain('2028-04-30');
    expect(err!.message).toContain('Node 26 LTS or newer');
  });

  it('refuses lines older than the table', () => {
    expect(sandboxRuntimeError(new Date('2026-01-01T00:00:00Z'), '18.20.0')?.code).toBe('runtime_unsupported');
  });

  it('defaults to the running Node, which the project supports today', () => {
    expect(sandboxRuntimeError(new Date())).toBeNull();
  });
});

describe('nativeModuleError', () => {
  const prebuilds = fileURLToPath(new URL('../node_modules/isolated-vm/prebuilds/linux-x64/', import.meta.url));
  const builds = { '137': 'isolated-vm.abi137.glibc.node', '147': 'isolated-vm.abi147.glibc.node' } as const;
  const other = process.versions.modules === '137' ? '147' : '137';
  const linuxX64 = process.platform === 'linux' && process.arch === 'x64';

  it.skipIf(!linuxX64)(
    `reports a real dlopen of isolated-vm built for another ABI (needs linux-x64 prebuilds; this is ${process.platform}-${process.arch})`,
    () => {
      expect(['137', '147'], 'the running Node is one of the two ABIs isolated-vm ships').toContain(
        process.versions.modules,
      );
      const file = `${prebuilds}${builds[other]}`;
      expect(existsSync(file), file).toBe(true);
      let caught: unknown;
      try {
        process.dlopen({ exports: {} }, file);
      } catch (err) {
        caught = err;
      }
      expect(caught, 'loading a build for another ABI must fail').toBeDefined();
      const err = nativeModuleError(caught, 'isolated-vm');
      expect(err).toBeInstanceOf(SwitchboardError);
      expect(err!.code).toBe('native_module_mismatch');
      expect(err!.kind).toBe('operator');
      expect(err!.message).toContain('isolated-vm');
      expect(err!.message).toContain(`NODE_MODULE_VERSION ${other}`);
      expect(err!.message).toContain(`NODE_MODULE_VERSION ${process.versions.modules}`);
      expect(err!.message).toContain(process.version);
      expect(err!.message).toContain('npm run rebuild-native');
      expect(err!.cause).toBe(caught);
    },
  );

  it('recognizes a loader error wrapped by another library (knex wraps driver load failures)', () => {
    const inner = new Error('No native build was found for platform=linux arch=x64 runtime=node abi=115');
    const err = nativeModuleError(new Error('Knex: run\n$ npm install pg --save', { cause: inner }), 'pg');
    expect(err?.code).toBe('native_module_mismatch');
    expect(err!.message).toContain('pg');
    expect(err!.message).toContain('npm run rebuild-native');
  });

  it('leaves unrelated errors alone', () => {
    expect(nativeModuleError(new Error('connect ECONNREFUSED 127.0.0.1:5432'), 'pg')).toBeNull();
    expect(
      nativeModuleError(Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' }), 'better-sqlite3'),
    ).toBeNull();
    expect(nativeModuleError(new SwitchboardError('database_unreachable'), 'pg')).toBeNull();
    expect(nativeModuleError(undefined, 'pg')).toBeNull();
  });
});

describe('start-up log', () => {
  it('the "listening" line carries the Node and V8 versions', async () => {
    const lines: string[] = [];
    const logger = pino(
      { level: 'info' },
      {
        write: (line: string) => {
          lines.push(line);
        },
      },
    );
    const host = await startTestHost({ logger });
    try {
      const entries = lines.map(
        (line) => JSON.parse(line) as { msg?: string; level?: number; runtime?: Record<string, string> },
      );
      const listening = entries.find((e) => e.msg === 'listening');
      expect(listening, lines.join('')).toBeDefined();
      expect(listening!.runtime).toEqual(runtimeInfo());
      expect(listening!.runtime!.node).toBe(process.version);
      expect(listening!.runtime!.v8).toBe(process.versions.v8);
      // This Node is supported, so there is no warning about refusing sandboxed apps.
      expect(entries.filter((e) => e.level === 40 && /sandboxed apps will be refused/.test(e.msg ?? ''))).toEqual([]);
    } finally {
      await host.stop();
    }
  });
});
