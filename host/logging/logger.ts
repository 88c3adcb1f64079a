import { pino, type Logger as PinoLogger } from 'pino';
import { PinoPretty } from 'pino-pretty';
import type { HostConfig } from '../config/host-config.js';

export type Logger = PinoLogger;

/**
 * JSON lines on stdout; pino because it is fast and structured (see README). On a terminal (or
 * with `log.format: "pretty"`) the same records go through pino-pretty instead, one readable line
 * each: pretty-printing costs more per line, so it is for people watching, never the default on a pipe.
 */
export function createLogger(config: {
  level: HostConfig['log']['level'];
  format?: HostConfig['log']['format'];
}): Logger {
  const options = { level: config.level, base: { service: 'switchboard' } };
  if (outputFormat(config.format ?? 'auto', process.stdout.isTTY === true) === 'json') return pino(options);
  // In this thread and synchronous, like pino's own stdout: no worker to start, and nothing lost at exit.
  return pino(
    options,
    PinoPretty({
      destination: 1,
      sync: true,
      singleLine: true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname,service',
    }),
  );
}

/** What `log.format` means where the host runs: `auto` is pretty for a person at a terminal only. */
export function outputFormat(format: HostConfig['log']['format'], stdoutIsTerminal: boolean): 'json' | 'pretty' {
  return format === 'auto' ? (stdoutIsTerminal ? 'pretty' : 'json') : format;
}
