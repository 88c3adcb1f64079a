// First: V8's heap limits must be set before the host allocates (see buffer-gc.ts).
import './runtime/buffer-gc.js';
import { loadConfig } from './config/load-config.js';
import { startHost, type RunningHost } from './host.js';
import { createLogger } from './logging/logger.js';
import { SwitchboardError } from '../sdk/errors/switchboard-error.js';
import type { HostConfig } from './config/host-config.js';
import { openControlSocket } from './control-socket.js';
import { databaseKindOf } from './db/open-database.js';

/** `npm start`: load the config, start the host, stop cleanly on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  let host: RunningHost;
  let config: HostConfig;
  let log = createLogger({ level: 'info' });
  try {
    config = loadConfig();
    log = createLogger(config.log);
    host = await startHost(config, { logger: log });
    if (host.adminTokenFile)
      log.info(
        { file: host.adminTokenFile },
        'admin token is in this file (set auth.adminToken or SWITCHBOARD_ADMIN_TOKEN to choose one)',
      );
  } catch (err) {
    reportStartFailure(err);
    process.exit(1);
  }
  let control: { close(): Promise<void> } | null = null;
  process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled rejection'));
  process.on('uncaughtException', (err) => log.error({ err }, 'uncaught exception'));
  let signals = 0;
  const shutdown = (signal: string) => {
    if (++signals > 1) process.exit(1);
    log.info({ signal }, 'stopping');
    Promise.resolve(control?.close())
      .then(() => host.stop())
      .then(
        () => process.exit(0),
        (err) => {
          log.error({ err }, 'stop failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  watchParent(() => shutdown('parent exited'));
  // Local operator commands (npm run backup); SQLite only: PostgreSQL is backed up with pg_dump.
  if (databaseKindOf(config.database.url) === 'sqlite') {
    const opened = await openControlSocket(config.dataDir, host, log);
    if (signals > 0) await opened?.close();
    else control = opened;
  }
}

/**
 * `npm start` runs the host as npm's child (the script `exec`s node, so no shell sits between
 * them) and npm forwards SIGTERM and SIGINT to it. If npm dies without forwarding (kill -9), the
 * host is re-parented: it notices and stops gracefully instead of running on unsupervised.
 * Only under npm: a host started directly may outlive its shell on purpose (nohup, setsid).
 */
function watchParent(onExit: () => void): void {
  if (!process.env.npm_lifecycle_event) return;
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onExit();
  }, 500);
  timer.unref();
}

function reportStartFailure(err: unknown): void {
  if (err instanceof SwitchboardError) {
    const lines = [`switchboard: cannot start [${err.code}]: ${err.message}`];
    for (const d of err.details ?? []) lines.push(`  ${d.path}: ${d.message}`);
    process.stderr.write(`${lines.join('\n')}\n`);
  } else {
    process.stderr.write(`switchboard: cannot start [internal_error]: ${(err as Error)?.stack ?? String(err)}\n`);
  }
}

void main();
