/** The crypto capability: hashes and secrets computed by the host. Part of PluginContext (../plugin-context.ts). */

/**
 * Hashes and secrets, computed by the host (plugins import only the SDK, and the sandbox has no
 * crypto of its own). Inputs are strings of at most 1 MiB.
 */
export interface CryptoCapability {
  /** Lower-case hex SHA-256 of the UTF-8 text. No permission. */
  sha256(text: string): Promise<string>;
  /** Lower-case hex HMAC-SHA256 of the text under the key. No permission. */
  hmacSha256(key: string, text: string): Promise<string>;
  /** A random UUID (v4). No permission. */
  randomId(): Promise<string>;
  /** permission secrets: an Argon2id hash of a secret (a PIN, a password), to store instead of it. */
  hashSecret(secret: string): Promise<string>;
  /** permission secrets: whether the secret matches a hash from hashSecret (false for a malformed hash). */
  verifySecret(hash: string, secret: string): Promise<boolean>;
}
