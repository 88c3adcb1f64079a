/**
 * Reference of `npm run bench -- cluster`: ws_relay_msgs_per_s, the pair load of pair-load.ts
 * against a bare `ws` relay with no durability (ws-relay-server.ts) in a child process, as a host
 * runs in one. It tells how much of the host's figure is the WebSocket traffic itself.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PairDriver, PAIRS } from '../messaging/pair-driver.js';
import { openSocket, type BenchSocket } from '../support/bench-socket.js';
import { closeAll } from '../support/phase-util.js';
import { log, mapLimit } from '../support/util.js';
import { pairThroughput } from './pair-load.js';

const here = dirname(fileURLToPath(import.meta.url));

export async function wsRelayPhase(counts: { warmup: number; measured: number }): Promise<number> {
  const child = spawn(process.execPath, ['--no-node-snapshot', '--import', 'tsx', join(here, 'ws-relay-server.ts')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const stopChild = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', stopChild);
  const socks: BenchSocket[] = [];
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /"port":(\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', (code, signal) => reject(new Error(`ws relay exited (code ${code}, signal ${signal})`)));
    });
    const url = `ws://127.0.0.1:${port}/`;
    log(`ws relay: pid ${child.pid} on port ${port}; opening ${PAIRS * 2} connections`);
    const drivers = await mapLimit(
      Array.from({ length: PAIRS }, (_, i) => i),
      20,
      async (i) => {
        const sender = await openSocket(url, `pair${i}`);
        const receiver = await openSocket(url, `pair${i}`);
        socks.push(sender, receiver);
        return new PairDriver(i, sender, receiver, `pair${i}`);
      },
    );
    return await pairThroughput(
      {
        label: 'ws relay',
        pids: [child.pid!],
        assertAlive: () => {
          if (child.exitCode !== null || child.signalCode !== null) throw new Error('the ws relay exited');
        },
      },
      drivers,
      counts,
    );
  } finally {
    await closeAll(socks);
    stopChild();
    process.removeListener('exit', stopChild);
  }
}
