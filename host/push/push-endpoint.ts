import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import { judgeAddress } from '../outbound/address-ranges.js';

export const MAX_ENDPOINT_LENGTH = 2048;

/** An endpoint the host may POST to. `local`: a loopback endpoint that `push.allowLocalEndpoints` let in. */
export interface CheckedEndpoint {
  readonly url: URL;
  readonly local: boolean;
}

function refuse(why: string): never {
  throw new SwitchboardError('push_endpoint_invalid', `The push endpoint ${why}.`, {
    details: [{ path: '/endpoint', message: why }],
  });
}

/**
 * The outbound rule of plugins' wildcard hosts (address-ranges.ts) applied to push services:
 * https only, and never a private, loopback or otherwise non-public address, so a subscription
 * cannot point the host at its own network. A host name is checked again when it is looked up
 * for each push (a name that resolves to a private address fails then). `allowLocal` (tests,
 * development) admits the loopback, over http: too.
 */
export function checkEndpoint(raw: string, allowLocal: boolean): CheckedEndpoint {
  if (raw.length > MAX_ENDPOINT_LENGTH) refuse(`is over ${MAX_ENDPOINT_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // URL's TypeError says only "Invalid URL"; the caller gets the catalog code instead.
    return refuse('is not an absolute URL');
  }
  if (url.username || url.password) refuse('may not carry credentials');
  const hostname = url.hostname.toLowerCase();
  const verdict = judgeAddress(hostname);
  const loopback =
    hostname === 'localhost' ||
    hostname.endsWith('.localhost') ||
    verdict?.range === 'loopback' ||
    // IPv6 forms that embed an IPv4 loopback address ("ipv4Mapped of loopback 127.0.0.1").
    verdict?.range.includes(' of loopback ') === true;
  if (allowLocal && loopback) {
    if (url.protocol !== 'https:' && url.protocol !== 'http:') refuse('must be an https: URL');
    return { url, local: true };
  }
  if (url.protocol !== 'https:') refuse('must be an https: URL');
  if (loopback) refuse(`names this machine (${hostname})`);
  if (verdict && !verdict.public) refuse(`names a non-public address (${verdict.range})`);
  return { url, local: false };
}
