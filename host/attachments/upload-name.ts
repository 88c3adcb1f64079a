import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';

export const MAX_NAME_LENGTH = 255;

/**
 * The name an upload is kept under: the last segment of what the client sent (a browser may send
 * a path), without control characters, 1 to 255 characters. Only ever shown, and sent back in
 * Content-Disposition (encoded), never used as a path.
 */
export function uploadName(raw: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
  const name = (raw.split(/[/\\]/).pop() ?? '').replace(/[\u0000-\u001f\u007f-\u009f]/g, '').trim();
  if (name === '' || name === '.' || name === '..' || [...name].length > MAX_NAME_LENGTH) {
    throw new SwitchboardError('invalid_request', `The file name must have 1 to ${MAX_NAME_LENGTH} characters.`, {
      details: [{ path: '/query/name', message: `must have 1 to ${MAX_NAME_LENGTH} characters` }],
    });
  }
  return name;
}
