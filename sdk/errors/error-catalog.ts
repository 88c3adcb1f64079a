/**
 * The one catalog of Switchboard error codes, assembled from its sections in catalog/. Codes are
 * stable: clients, plugins and operators may match on them. Every code here is documented in
 * docs/errors.md (a test keeps the two in step).
 */
import { chatFeatureErrors } from './catalog/chat-feature-errors.js';
import { operatorErrors } from './catalog/operator-errors.js';
import { systemErrors } from './catalog/system-errors.js';
import { userErrors } from './catalog/user-errors.js';
import type { ErrorSpec } from './error-spec.js';

export type { ErrorKind, ErrorSpec } from './error-spec.js';

export const errorCatalog = {
  ...userErrors,
  ...chatFeatureErrors,
  ...systemErrors,
  ...operatorErrors,
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof errorCatalog;

export function isErrorCode(code: string): code is ErrorCode {
  return Object.prototype.hasOwnProperty.call(errorCatalog, code);
}
