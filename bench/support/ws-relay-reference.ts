/**
 * Reference of `npm run bench -- messaging` and `npm run bench -- cluster`: ws_relay_msgs_per_s,
 * the benchmark's own pair load (100 direct-conversation pairs of bench/messaging/pair-driver.ts,
 * pipelined senders, a message counted once acked AND delivered) against a bare `ws` relay with
 * no durability (ws-relay-server.ts) in a child process, as a host runs in one. It tells how much
 * of the host's figure is the WebSocket traffic itself.
 *
 * The caller passes the load, so the relay gets exactly the load its host figure comes from: the
 * messaging benchmark's time-windowed throughput phase (messaging/throughput.ts), the cluster
 * benchmark's count-bounded one (cluster/pair-load.ts).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PairDriver, PAIRS } from '../messaging/pair-driver.js';
import { openSocket, type BenchSocket } from './bench-socket.js';
import { closeAll, type LoadTarget } from './phase-util.js';
import { startReferenceChild } from './reference-child.js';
import { log, mapLimit } from './util.js';

const here = dirname(fileURLToPath(import.meta.url));

/** The label of the relay's load (its log lines and CPU windows start with it). */
export const WS_RELAY_LABEL = 'ws relay';

export async function wsRelayPhase(
  load: (target: LoadTarget, drivers: PairDriver[]) => Promise<number>,
): Promise<number> {
  const relay = await startReferenceChild(join(here, 'ws-relay-server.ts'), [], WS_RELAY_LABEL);
  const socks: BenchSocket[] = [];
  try {
    const url = `ws://127.0.0.1:${relay.port}/`;
    log(`${WS_RELAY_LABEL}: pid ${relay.child.pid} on port ${relay.port}; opening ${PAIRS * 2} connections`);
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
    return await load({ label: WS_RELAY_LABEL, pids: [relay.child.pid!], assertAlive: relay.assertAlive }, drivers);
  } finally {
    await closeAll(socks);
    relay.stop();
  }
}
