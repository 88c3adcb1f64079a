// Starts a sandbox worker from source: tsx is resolved next to this file, whatever the cwd.
import { register } from 'tsx/esm/api';

register();
await import('./sandbox-worker.ts');
