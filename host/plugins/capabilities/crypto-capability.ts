import { createHash, createHmac, randomUUID } from 'node:crypto';
import { SwitchboardError } from '../../../sdk/errors/switchboard-error.js';
import type { CryptoCapability } from '../../../sdk/plugin/plugin-context.js';
import { passwordHasher } from '../../auth/password-hasher.js';
import { promised, type CapabilityGuard } from './capability-guard.js';

const MAX_INPUT_CHARS = 1_048_576;
/** Argon2 inputs are short; a long one is a mistake or an attempt to burn the host's CPU. */
const MAX_SECRET_CHARS = 1_024;

/** ES2024, on every Node the host runs on (24+); the project's TypeScript lib predates it. */
type WellFormedCheck = string & { isWellFormed(): boolean };

/**
 * Hashing encodes the text as UTF-8, where a lone UTF-16 surrogate becomes U+FFFD: two different
 * strings would hash alike (and a secret would verify against another), so they are refused.
 */
function text(value: unknown, what: string, max = MAX_INPUT_CHARS): string {
  if (typeof value !== 'string' || value.length > max)
    throw new SwitchboardError('invalid_request', `${what} must be a string of at most ${max} characters.`);
  if (!(value as WellFormedCheck).isWellFormed())
    throw new SwitchboardError(
      'invalid_request',
      `${what} must be well-formed Unicode: it contains a lone UTF-16 surrogate, which UTF-8 cannot encode.`,
    );
  return value;
}

/** Hashing for plugins and apps. Hashing and HMAC are free; Argon2 costs CPU, so it needs `secrets`. */
export function cryptoCapability(guard: CapabilityGuard): CryptoCapability {
  return {
    sha256(input) {
      return promised(() => {
        guard.assertRunning();
        return createHash('sha256').update(text(input, 'The text')).digest('hex');
      });
    },
    hmacSha256(key, input) {
      return promised(() => {
        guard.assertRunning();
        return createHmac('sha256', text(key, 'The key')).update(text(input, 'The text')).digest('hex');
      });
    },
    randomId() {
      return promised(() => {
        guard.assertRunning();
        return randomUUID();
      });
    },
    async hashSecret(secret) {
      guard.need('secrets');
      return passwordHasher.hash(text(secret, 'The secret', MAX_SECRET_CHARS));
    },
    async verifySecret(hash, secret) {
      guard.need('secrets');
      return passwordHasher.verify(
        text(hash, 'The hash', MAX_SECRET_CHARS),
        text(secret, 'The secret', MAX_SECRET_CHARS),
      );
    },
  };
}
