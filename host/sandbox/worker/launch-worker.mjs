// Starts a sandbox worker from source: tsx is resolved next to this file, whatever the cwd.
import { setPriority } from 'node:os';
import { register } from 'tsx/esm/api';

// sandbox.workerNiceness, from the host. Set before isolated-vm starts its threads, which
// inherit it.
const niceness = Number(process.argv[2] ?? 0);
if (niceness > 0) {
  try {
    setPriority(niceness);
  } catch {
    // Not permitted here: the worker runs at the host's priority.
  }
}

register();
try {
  await import('./sandbox-worker.ts');
} catch (err) {
  // Most often isolated-vm built for another Node: say so to the host, which names the fix.
  const message = String(err?.message ?? err).slice(0, 2000);
  if (process.send) process.send({ t: 'fatal', message }, () => process.exit(70));
  else process.exit(70);
}
