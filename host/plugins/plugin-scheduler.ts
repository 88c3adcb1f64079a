import { injectable } from 'tsyringe';

// STUB: runs due jobs of plugins; being implemented.
@injectable()
export class PluginScheduler {
  start(): void {}
  async stop(): Promise<void> {}
}
