import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';

/** Resolves like `promise`, or rejects with plugin_timeout after `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SwitchboardError('plugin_timeout', `No answer within ${ms} ms.`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
