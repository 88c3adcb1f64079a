import { loadConfig } from './config/load-config.js';
import { startHost, type RunningHost } from './host.js';
import { createLogger } from './logging/logger.js';
import { SwitchboardError } from '../sdk/errors/switchboard-error.js';

/** `npm start`: load the config, start the host, stop cleanly on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  let host: RunningHost;
  let log = createLogger({ level: 'info' });
  try {
    const config = loadConfig();
    log = createLogger(config.log);
    host = await startHost(config, { logger: log });
    if (host.adminTokenFile) log.info({ file: host.adminTokenFile }, 'admin token is in this file (set auth.adminToken or SWITCHBOARD_ADMIN_TOKEN to choose one)');
  } catch (err) {
    reportStartFailure(err);
    process.exit(1);
  }
  process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled rejection'));
  process.on('uncaughtException', (err) => log.error({ err }, 'uncaught exception'));
  let signals = 0;
  const shutdown = (signal: string) => {
    if (++signals > 1) process.exit(1);
    log.info({ signal }, 'stopping');
    host.stop().then(() => process.exit(0), (err) => {
      log.error({ err }, 'stop failed');
      process.exit(1);
    });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
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
