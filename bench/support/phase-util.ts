/** Pieces shared by the phases of the messaging benchmark: frame marker, drain timeout, load target, host and socket helpers. */
import type { BenchHost } from './bench-host.js';
import type { BenchSocket } from './bench-socket.js';
import { mapLimit } from './util.js';

export const DRAIN_TIMEOUT_MS = 15_000;

/** What a load runs against: the processes whose CPU is metered, and a check that they still run. */
export interface LoadTarget {
  readonly label: string;
  readonly pids: readonly number[];
  assertAlive(): void;
}

export const MESSAGE_CREATED = Buffer.from('"message.created"');

export function assertHostAlive(host: BenchHost): void {
  const p = host.child.process;
  if (p.exitCode !== null || p.signalCode !== null) {
    throw new Error(
      `host exited (code ${p.exitCode}, signal ${p.signalCode}); output tail:\n${host.child.output().slice(-3000)}`,
    );
  }
}

export async function closeAll(socks: BenchSocket[]): Promise<void> {
  await mapLimit(socks, 500, (s) => s.close());
}
