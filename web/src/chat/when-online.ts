import { ClientError, type SwitchboardClient } from '../../../sdk/client/index.js';

/**
 * Resolves once the client is online: while the first connection is being made, connect() waits
 * for it (a command typed as the page opens runs when it is up). Offline, or closed or ended (never
 * reopened from here), it fails at once with `offline`, which the page says in words.
 */
export function whenOnline(client: SwitchboardClient): Promise<void> {
  const state = client.state;
  return state === 'online' || state === 'connecting' ? client.connect() : Promise.reject(ClientError.offline());
}
