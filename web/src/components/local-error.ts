import type { MessageKey } from '../i18n/en';
import type { MessageParams } from '../i18n/translate';

/** A failure the web client finds itself (an empty field, an unknown handle), already put as a catalog text. */
export class LocalError extends Error {
  constructor(
    readonly key: MessageKey,
    readonly params?: MessageParams,
  ) {
    super(key);
  }
}
