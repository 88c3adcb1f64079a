/** CPU use of the host, this process, PostgreSQL and the rest of the machine over a measured window. */
import { profileClockUs } from './cpu-profile.js';
import { cpuMs, cpuMsByName, systemBusyMs } from './util.js';

/** Measured windows of the phases, on the CPU profile's clock. */
export const profileWindows: [string, { from: number; to: number }][] = [];

/**
 * CPU use between two points, as a share of one core (diagnostics only): the host child (or the
 * sum of several host children), this process, and everything else on the machine (other load
 * skews the figures on 2 cores).
 */
export function cpuMeter(pid: number | readonly number[], phase: string) {
  const pids = typeof pid === 'number' ? [pid] : pid;
  const hostMs = () => pids.reduce((sum, p) => sum + cpuMs(p), 0);
  const from = profileClockUs();
  const h0 = hostMs();
  const b0 = process.cpuUsage();
  const s0 = systemBusyMs();
  const p0 = cpuMsByName('postgres');
  const t0 = performance.now();
  return () => {
    profileWindows.push([phase, { from, to: profileClockUs() }]);
    const wall = performance.now() - t0;
    const b = process.cpuUsage(b0);
    const host = ((hostMs() - h0) / wall) * 100;
    const bench = ((b.user + b.system) / 1000 / wall) * 100;
    const pg = ((cpuMsByName('postgres') - p0) / wall) * 100;
    const other = Math.max(0, ((systemBusyMs() - s0) / wall) * 100 - host - bench - pg);
    return (
      `CPU (100% = one core): host ${host.toFixed(0)}%, bench ${bench.toFixed(0)}%${pg > 1 ? `, postgres ${pg.toFixed(0)}%` : ''}, other processes ${other.toFixed(0)}%` +
      (other > 20 ? ' (WARNING: the machine is busy with other work; figures are skewed)' : '')
    );
  };
}
