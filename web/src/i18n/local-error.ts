import type { MessageKey } from './en';
import type { MessageParams } from './translate';

/** A failure the web client finds itself (an empty field, an unknown handle), already put as a catalog text. */
export class LocalError extends Error {
  constructor(
    readonly key: MessageKey,
    readonly params?: MessageParams,
  ) {
    super(key);
  }
}
