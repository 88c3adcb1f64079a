import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DeepPartial, HostConfig } from '../../host/config/host-config.js';
import { isListening } from './e2e.js';

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
  /** Written to a fresh temporary config file (on 127.0.0.1, port 0, unless it says otherwise)... */
  config?: DeepPartial<HostConfig>;
  /** ...or an existing config file, used as it is. */
  configFile?: string;
  env?: NodeJS.ProcessEnv;
  /** Modules (paths from the repository root) the child imports before the host, after tsx. */
  imports?: string[];
  /** Milliseconds to wait for the "listening" log line. */
  timeoutMs?: number;
}

/**
 * Runs a host as its own process, exactly as `npm start` does (node --no-node-snapshot
 * --import tsx host/main.ts --config FILE), and resolves once it logs "listening".
 * Rejects with the child's output if it exits first.
 */
export async function spawnHost({
  config = {},
  configFile,
  env = {},
  imports = [],
  timeoutMs = 30_000,
}: SpawnHostOptions): Promise<ChildHost> {
  let configPath = configFile;
  if (!configPath) {
    configPath = join(mkdtempSync(join(tmpdir(), 'switchboard-child-')), 'config.json');
    writeFileSync(configPath, JSON.stringify({ server: { host: '127.0.0.1', port: 0 }, ...config }, null, 2));
  }
  const child = spawn(
    process.execPath,
    [
      '--no-node-snapshot',
      '--import',
      'tsx',
      ...imports.flatMap((m) => ['--import', `./${m}`]),
      'host/main.ts',
      '--config',
      configPath,
    ],
    {
      cwd: repoRoot,
      env: { ...process.env, DATABASE_URL: '', SWITCHBOARD_CONFIG: '', PORT: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => {
    child.on('exit', (code, signal) => res({ code, signal }));
  });
  let listening = false;
  const port = await new Promise<number>((resolvePort, reject) => {
    const timer = setTimeout(() => reject(new Error(`host did not start in ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      // Past "listening" the host logs a line per request and connection: only keep them, not rescan them.
      if (listening) return;
      for (const line of out.split('\n')) {
        if (!line.includes('"listening"')) continue;
        try {
          const entry = JSON.parse(line) as { msg?: string; port?: number };
          if (entry.msg === 'listening' && typeof entry.port === 'number') {
            listening = true;
            clearTimeout(timer);
            resolvePort(entry.port);
            return;
          }
        } catch {
          /* partial line */
        }
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (c: Buffer) => {
      out += c.toString();
    });
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

/** True while a process with this pid exists and is not a zombie (an exited child nobody reaped yet). */
export function processAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    // No /proc entry (the process is gone, or this is not Linux): ask the kernel directly.
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      // ESRCH: no such process (EPERM cannot happen for our own children).
      return false;
    }
  }
}

/** Pids of every live descendant of `pid` with their command lines (Linux and macOS `ps`). */
export function descendants(pid: number): { pid: number; args: string }[] {
  const rows = execFileSync('ps', ['-A', '-o', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => {
      const m = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line);
      return m ? { pid: Number(m[1]), ppid: Number(m[2]), args: m[3]! } : null;
    })
    .filter((r) => r !== null);
  const found: { pid: number; args: string }[] = [];
  const walk = (parent: number) => {
    for (const r of rows)
      if (r.ppid === parent) {
        found.push({ pid: r.pid, args: r.args });
        walk(r.pid);
      }
  };
  walk(pid);
  return found;
}

export interface CommandResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr as they came, interleaved. */
  output: string;
  /** With `watchPort`: whether that port ever accepted a connection while the script ran. */
  listenedOn: boolean;
}

/**
 * Runs `node --no-node-snapshot --import tsx <script> ...args` (as the npm scripts do) to its end.
 * The environment's database and port overrides are cleared. While it runs, `watchPort` (if given)
 * is probed every 25 ms.
 */
export async function runScript(
  script: string,
  args: string[],
  { env = {}, timeoutMs = 90_000, watchPort }: { env?: NodeJS.ProcessEnv; timeoutMs?: number; watchPort?: number } = {},
): Promise<CommandResult> {
  const child = spawn(process.execPath, ['--no-node-snapshot', '--import', 'tsx', script, ...args], {
    cwd: repoRoot,
    env: {
      ...process.env,
      DATABASE_URL: '',
      SWITCHBOARD_CONFIG: '',
      PORT: '',
      SWITCHBOARD_PORT: '',
      SWITCHBOARD_ADMIN_TOKEN: '',
      SWITCHBOARD_DB_SCHEMA: '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let output = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
    output += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
    output += c.toString();
  });
  let listenedOn = false;
  let done = false;
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    child.on('close', (c, s) => {
      done = true;
      res({ code: c, signal: s });
    }),
  );
  const probe = (async () => {
    while (!done && watchPort !== undefined) {
      if (await isListening(watchPort)) listenedOn = true;
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const { code, signal } = await exit;
  clearTimeout(timer);
  await probe;
  if (signal === 'SIGKILL') {
    const note = `\n[killed after ${timeoutMs} ms: it did not exit by itself]`;
    stderr += note;
    output += note;
  }
  return { code, signal, stdout, stderr, output, listenedOn };
}
