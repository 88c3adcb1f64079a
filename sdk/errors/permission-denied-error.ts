import type { Permission } from '../plugin/permissions.js';
import { SwitchboardError } from './switchboard-error.js';

/**
 * Thrown by every capability call the plugin is not allowed to make. It names the permission
 * and says how to get it, so the fix is obvious from the stack trace.
 */
export class PermissionDeniedError extends SwitchboardError {
  readonly permission: Permission;
  readonly pluginId: string;

  constructor(pluginId: string, permission: Permission, detail?: string) {
    super('permission_denied',
      `Plugin "${pluginId}" lacks the permission "${permission}"${detail ? ` (${detail})` : ''}. ` +
      `Request it in the manifest ("permissions": { "${permission}": {} }) and have the operator grant it ` +
      `(plugins.enabled[].grants in the host config).`,
      { details: [{ path: `/permissions/${permission}`, message: detail ?? 'not granted' }] });
    this.name = 'PermissionDeniedError';
    this.permission = permission;
    this.pluginId = pluginId;
  }
}
