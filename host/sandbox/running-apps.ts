import type { AppLimits } from '../../sdk/app/app-limits.js';
import type { CapabilityBridge } from './capability-bridge.js';
import type { WorkerHandle } from './worker-handle.js';

/** One start of an app: a restart is a new RunningApp, and `alive` tells a stale one apart. */
export interface RunningApp {
  readonly id: string;
  readonly worker: WorkerHandle;
  readonly bridge: CapabilityBridge;
  readonly limits: AppLimits;
  alive: boolean;
}

/** The apps running now, each entered in the worker that holds it (whose end blames by that list). */
export class RunningApps {
  private readonly byId = new Map<string, RunningApp>();

  get(id: string): RunningApp | undefined {
    return this.byId.get(id);
  }

  ids(): string[] {
    return [...this.byId.keys()];
  }

  add(app: RunningApp): void {
    this.byId.set(app.id, app);
    app.worker.apps.add(app.id);
  }

  /** The app stops counting as running, whatever follows (a restart, an unload, a breaker). */
  forget(app: RunningApp): void {
    app.alive = false;
    if (this.byId.get(app.id) === app) this.byId.delete(app.id);
    app.worker.apps.delete(app.id);
  }
}
