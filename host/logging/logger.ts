import { pino, type Logger as PinoLogger } from 'pino';
import type { HostConfig } from '../config/host-config.js';

export type Logger = PinoLogger;

/** JSON lines on stdout; pino because it is fast and structured (see README). */
export function createLogger(config: HostConfig['log']): Logger {
  return pino({ level: config.level, base: { service: 'switchboard' } });
}
