import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { HostConfig } from './config/host-config.js';

/**
 * The configured admin token, or one kept in <dataDir>/admin-token (created on first start,
 * readable only by the operator) so that a fresh `npm start` is usable and safe.
 */
export function resolveAdminToken(config: HostConfig): { token: string; file: string | null } {
  if (config.auth.adminToken) return { token: config.auth.adminToken, file: null };
  const dir = resolve(config.dataDir);
  const file = join(dir, 'admin-token');
  if (existsSync(file)) {
    const token = readFileSync(file, 'utf8').trim();
    if (token.length >= 24) return { token, file };
  }
  mkdirSync(dir, { recursive: true });
  const token = `sba_${randomBytes(32).toString('base64url')}`;
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return { token, file };
}
