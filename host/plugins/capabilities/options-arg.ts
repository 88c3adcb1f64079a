import { SwitchboardError } from '../../../sdk/errors/switchboard-error.js';

/**
 * A capability call's optional options object, as the call may use it: absent (`undefined`) is no
 * options. A trusted plugin's types forbid anything else, but an app's arguments come unchecked
 * from its isolate, and `read(id, null)` reached `options.offset` as a TypeError: an internal
 * error to the app, with nothing to say which argument was wrong.
 */
export function optionsArg<T extends object>(value: T | undefined, path: string): Partial<T> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new SwitchboardError('invalid_request', `${path} must be an object of options (or left out).`, {
      details: [{ path, message: 'must be an object of options' }],
    });
  return value;
}
