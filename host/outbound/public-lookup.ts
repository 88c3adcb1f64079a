import { lookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { judgeAddress } from './address-ranges.js';

/** The code of the lookup error for a name that resolves to a non-public address. */
export const NON_PUBLIC_ADDRESS = 'EPRIVATE';

/**
 * A dns.lookup for http.request's `lookup` option that refuses a name if any of its addresses is
 * not public (address-ranges.ts): checked at connect time, on the addresses the socket is about
 * to use, so a name that resolved to a public address a moment ago and to a private one now (DNS
 * rebinding) is refused too. The error's code is NON_PUBLIC_ADDRESS; `refusal` words its message
 * for the caller's audience (it is given the address only to name it where that is safe).
 * Node connects to an IP literal without calling `lookup`: callers judge those themselves.
 */
export function publicLookup(refusal: (hostname: string, address: string, range: string) => string): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname, { ...options, all: true }, (err, list) => {
      if (err) return callback(err, '', 0);
      const refused = list
        .map((a) => ({ address: a.address, verdict: judgeAddress(a.address) }))
        .find((a) => a.verdict !== null && !a.verdict.public);
      if (refused) {
        const message = refusal(hostname, refused.address, refused.verdict!.range);
        return callback(Object.assign(new Error(message), { code: NON_PUBLIC_ADDRESS }), '', 0);
      }
      if ((options as { all?: boolean }).all)
        return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
}
