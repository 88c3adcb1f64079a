/**
 * Reference of `npm run bench -- cluster`: ws_relay_msgs_per_s, the pair load of pair-load.ts
 * against a bare `ws` relay with no durability (ws-relay-server.ts) in a child process, as a host
 * runs in one. It tells how much of the host's figure is the WebSocket traffic itself.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PairDriver, PAIRS } from '../messaging/pair-driver.js';
import { openSocket, type BenchSocket } from '../support/bench-socket.js';
import { closeAll } from '../support/phase-util.js';
import { startReferenceChild } from '../support/reference-child.js';
import { log, mapLimit } from '../support/util.js';
import { pairThroughput } from './pair-load.js';

const here = dirname(fileURLToPath(import.meta.url));

export async function wsRelayPhase(counts: { warmup: number; measured: number }): Promise<number> {
  const relay = await startReferenceChild(join(here, 'ws-relay-server.ts'), [], 'ws relay');
  const socks: BenchSocket[] = [];
  try {
    const url = `ws://127.0.0.1:${relay.port}/`;
    log(`ws relay: pid ${relay.child.pid} on port ${relay.port}; opening ${PAIRS * 2} connections`);
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
        pids: [relay.child.pid!],
        assertAlive: relay.assertAlive,
      },
      drivers,
      counts,
    );
  } finally {
    await closeAll(socks);
    relay.stop();
  }
}
