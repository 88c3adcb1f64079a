import { ClientError, type SwitchboardClient } from '../../../sdk/client/index.js';

/** How long a request waits for a connection that is still being made (a page just opened). */
const CONNECTING_WAIT_MS = 10_000;

/**
 * Resolves once the client is online. While the first connection is being made it waits for it
 * (a command typed as the page opens runs when it is up); offline, or after the wait, it fails
 * with `offline`, which the page says in words.
 */
export function whenOnline(client: SwitchboardClient): Promise<void> {
  if (client.state === 'online') return Promise.resolve();
  if (client.state !== 'connecting') return Promise.reject(ClientError.offline());
  return new Promise((resolve, reject) => {
    const done = (error?: ClientError) => {
      clearTimeout(timer);
      off();
      if (error) reject(error);
      else resolve();
    };
    const timer = setTimeout(() => done(ClientError.offline()), CONNECTING_WAIT_MS);
    const off = client.on('state', (state) => {
      if (state === 'online') done();
      else if (state !== 'connecting') done(ClientError.offline());
    });
  });
}
