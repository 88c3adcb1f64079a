import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';

/**
 * `link_preview_unavailable`, saying why in words a person can act on. The reasons never carry an
 * address the host resolved or a network error's text: a signed-in user must not learn through
 * previews what is inside the host's network.
 */
export function unavailable(reason: string): SwitchboardError {
  return new SwitchboardError('link_preview_unavailable', `No preview of this page: ${reason}.`);
}
