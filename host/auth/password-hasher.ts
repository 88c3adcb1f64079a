import { hash, verify } from '@node-rs/argon2';

/**
 * Argon2id through @node-rs/argon2: a maintained binding whose binaries arrive as npm
 * packages (no compiler, no download at install), with OWASP's recommended parameters.
 */
export const passwordHasher = {
  hash: (password: string): Promise<string> => hash(password),
  // verify rejects only a stored hash it cannot parse; such a hash matches no password.
  verify: (stored: string, password: string): Promise<boolean> => verify(stored, password).catch(() => false),
};

/** Verifying against this keeps the timing of "unknown handle" equal to "wrong password". */
export const DUMMY_HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$NyJRg/iBI1gae0yHE1bHRw$k0nwW/LUeL42eKCw9ZpNumaSdMYNR15DKZZ1WJWsk6w';
