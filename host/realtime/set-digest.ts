import { createHash } from 'node:crypto';

/**
 * An order-free fingerprint of a set of ids, kept up to date as ids come and go: the count, and
 * the XOR of a 48-bit hash of each id. Hosts compare these few bytes instead of exchanging the
 * list of every online user; a mismatch means some update was lost. Hashing costs about a
 * microsecond per change (a connect or a disconnect), never per heartbeat.
 */
export class SetDigest {
  private hi = 0;
  private lo = 0;
  private n = 0;

  add(id: string): void {
    this.toggle(id);
    this.n++;
  }

  delete(id: string): void {
    this.toggle(id);
    this.n--;
  }

  /** "<count>:<hex>.<hex>", equal for equal sets. */
  get value(): string {
    return `${this.n}:${this.hi.toString(16)}.${this.lo.toString(16)}`;
  }

  private toggle(id: string): void {
    const h = createHash('sha1').update(id).digest();
    this.hi ^= h.readUIntBE(0, 3);
    this.lo ^= h.readUIntBE(3, 3);
  }
}
