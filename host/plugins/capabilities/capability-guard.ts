import { PermissionDeniedError } from '../../../sdk/errors/permission-denied-error.js';
import { SwitchboardError } from '../../../sdk/errors/switchboard-error.js';
import type { Permission } from '../../../sdk/plugin/permissions.js';
import type { AuditLog } from '../audit-log.js';
import type { EffectiveScope } from '../grants.js';
import type { PluginRecord } from '../plugin-record.js';
import { insideOpenTransaction } from '../database/transaction-scope.js';

/**
 * `answer()` as a promise, for a capability method that must return one but has nothing to await.
 * Like the body of an async method, it runs now, and what it throws (a refusal, a bad argument)
 * becomes a rejection rather than a synchronous throw.
 */
export function promised<T>(answer: () => T | PromiseLike<T>): Promise<T> {
  return new Promise<T>((resolve) => resolve(answer()));
}

/**
 * The checks every capability method makes first: the plugin is running (and this is not a
 * handler left over from an earlier run), and the permission is granted. Deny by default, with
 * no bypass for tests.
 */
export class CapabilityGuard {
  constructor(
    private readonly record: PluginRecord,
    private readonly generation: number,
    private readonly audit: AuditLog,
  ) {}

  get pluginId(): string {
    return this.record.id;
  }

  /** Returns the granted scope, or throws PermissionDeniedError. */
  need<P extends Permission>(permission: P): EffectiveScope<P> {
    if (insideOpenTransaction()) {
      // On SQLite the open transaction holds the only connection: this call would wait forever.
      throw new SwitchboardError(
        'database_transaction_scope',
        `Plugin "${this.record.id}" called a ${permission} capability inside a database transaction; only the transaction's own handle may be used there. Call it after the transaction commits.`,
      );
    }
    return this.needWithinTransaction(permission);
  }

  /** need() for the statements of the plugin's own open transaction. */
  needWithinTransaction<P extends Permission>(permission: P): EffectiveScope<P> {
    this.assertRunning();
    const scope = this.record.granted.get(permission);
    if (scope) return scope;
    const refused = this.record.refused.includes(permission);
    throw new PermissionDeniedError(
      this.record.id,
      permission,
      refused ? 'refused by the operator' : 'not requested in the manifest',
    );
  }

  denied(permission: Permission, detail: string): never {
    throw new PermissionDeniedError(this.record.id, permission, detail);
  }

  assertRunning(): void {
    if (this.record.status !== 'running' || this.record.generation !== this.generation) {
      throw new SwitchboardError('forbidden', `Plugin "${this.record.id}" is not running.`);
    }
  }

  /** Records a side effect that happened; `target` may be derived from its result. */
  async audited<T>(
    capability: string,
    action: string,
    target: string | null | ((result: T) => string),
    effect: () => Promise<T>,
  ): Promise<T> {
    const result = await effect();
    await this.audit.record(this.record.id, capability, action, typeof target === 'function' ? target(result) : target);
    return result;
  }
}
