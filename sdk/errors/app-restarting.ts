import { SwitchboardError } from './switchboard-error.js';

/**
 * What a caller gets for anything of a sandboxed app that is restarting (its events, commands and
 * routes): not the app's failure, and worth a retry. Built here because both the sandbox and the
 * plugin kernel answer with it, and the sandbox may not import the plugins.
 */
export function appRestarting(id: string): SwitchboardError {
  return new SwitchboardError('unavailable', `App ${id} is restarting; retry shortly.`);
}
