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
        `Request it in the manifest ("permissions": { "${permission}": {} }) and have the operator grant it ` +
        `(plugins.enabled[].grants in the host config).`,
      { details: [{ path: `/permissions/${permission}`, message: detail ?? 'not granted' }] },
    );
    this.name = 'PermissionDeniedError';
    Object.defineProperty(this, PERMISSION_DENIED_ERROR, { value: true });
    this.permission = permission;
    this.pluginId = pluginId;
  }
}
