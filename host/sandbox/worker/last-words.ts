import { writeSync } from 'node:fs';
import { LAST_WORDS_FD, type LastWords } from '../rpc-protocol.js';

/** Written synchronously: the process may end on the next line. */
export function lastWords(words: LastWords): void {
  try {
    writeSync(LAST_WORDS_FD, `${JSON.stringify(words)}\n`);
  } catch {
    // No pipe (run outside the host): the host blames no one in particular.
  }
}
