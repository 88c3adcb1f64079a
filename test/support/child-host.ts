import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DeepPartial, HostConfig } from '../../host/config/host-config.js';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

export interface ChildHost {
  readonly pid: number;
  readonly port: number;
  readonly url: string;
  readonly wsUrl: string;
  readonly process: ChildProcess;
  /** Everything the child wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves when the child exits. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface SpawnHostOptions {
  config: DeepPartial<HostConfig>;
  env?: NodeJS.ProcessEnv;
  /** Milliseconds to wait for the "listening" log line. */
  timeoutMs?: number;
}

/**
 * Runs a host as its own process, exactly as `npm start` does (node --no-node-snapshot
 * --import tsx host/main.ts --config FILE), and resolves once it logs "listening".
 * Rejects with the child's output if it exits first.
 */
export async function spawnHost({ config, env = {}, timeoutMs = 30_000 }: SpawnHostOptions): Promise<ChildHost> {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-child-'));
  const configPath = join(dir, 'config.json');
  writeFileSync(configPath, JSON.stringify({ server: { host: '127.0.0.1', port: 0 }, ...config }, null, 2));
  const child = spawn(process.execPath, ['--no-node-snapshot', '--import', 'tsx', 'host/main.ts', '--config', configPath], {
    cwd: repoRoot,
    env: { ...process.env, DATABASE_URL: '', SWITCHBOARD_CONFIG: '', PORT: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => {
    child.on('exit', (code, signal) => res({ code, signal }));
  });
  const port = await new Promise<number>((resolvePort, reject) => {
    const timer = setTimeout(() => reject(new Error(`host did not start in ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      for (const line of out.split('\n')) {
        if (!line.includes('"listening"')) continue;
        try {
          const entry = JSON.parse(line) as { msg?: string; port?: number };
          if (entry.msg === 'listening' && typeof entry.port === 'number') {
            clearTimeout(timer);
            resolvePort(entry.port);
            return;
          }
        } catch { /* partial line */ }
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => { out += c.toString(); });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`host exited (code ${code}, signal ${signal}) before listening:\n${out}`));
    });
  });
  return {
    pid: child.pid!,
    port,
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/v1/ws`,
    process: child,
    output: () => out,
    exited,
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
