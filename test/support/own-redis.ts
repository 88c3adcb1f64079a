import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { freePort } from './e2e.js';
import { eventually } from './eventually.js';

/** A redis-server of a test's own, on a free port, that the test may kill and start again. */
export interface OwnRedis {
  readonly url: string;
  start(): Promise<void>;
  /** SIGKILL: an outage, not a clean shutdown. */
  stop(): Promise<void>;
}

export async function ownRedis(): Promise<OwnRedis> {
  const port = await freePort();
  let server: ChildProcess | null = null;
  const answers = () => {
    try {
      return execFileSync('redis-cli', ['-p', String(port), 'ping'], { stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim();
    } catch {
      // Not up yet: redis-cli exits non-zero until the server listens.
      return '';
    }
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    async start() {
      server = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        {
          stdio: 'ignore',
        },
      );
      await eventually(() => answers() === 'PONG', { what: 'redis-server to answer' });
    },
    async stop() {
      const child = server;
      server = null;
      if (!child || child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
  };
}
