import type { Permission } from '../plugin/permissions.js';
import { PERMISSION_DENIED_ERROR, SwitchboardError } from './switchboard-error.js';

/**
 * Thrown by every capability call the plugin is not allowed to make. It names the permission
 * and says how to get it, so the fix is obvious from the stack trace.
 */
export class PermissionDeniedError extends SwitchboardError {
  static readonly brand = PERMISSION_DENIED_ERROR;
  readonly permission: Permission;
  readonly pluginId: string;

  constructor(pluginId: string, permission: Permission, detail?: string) {
    super(
      'permission_denied',
      `Plugin "${pluginId}" lacks the permission "${permission}"${detail ? ` (${detail})` : ''}. ` +
        howToGet(permission, detail),
      { details: [{ path: `/permissions/${permission}`, message: detail ?? 'not granted' }] },
    );
    this.name = 'PermissionDeniedError';
    Object.defineProperty(this, PERMISSION_DENIED_ERROR, { value: true });
    this.permission = permission;
    this.pluginId = pluginId;
  }
}

const GRANTS = '(plugins.enabled[].grants in the host config)';

/** The fix for each rule that refuses: a permission never asked for, one the operator refused, or a scope too narrow. */
function howToGet(permission: Permission, detail: string | undefined): string {
  if (detail === 'refused by the operator') return `Ask the operator to grant it ${GRANTS}.`;
  if (detail === undefined || detail === 'not requested in the manifest' || detail === 'not granted')
    return `Request it in the manifest ("permissions": { "${permission}": {} }) and have the operator grant it ${GRANTS}.`;
  return `Widen its scope in the manifest ("permissions": { "${permission}": { … } }) and have the operator grant that scope ${GRANTS}.`;
}
