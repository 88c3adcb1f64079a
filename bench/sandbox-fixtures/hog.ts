/**
 * The benchmark's hostile neighbour: its service "start" starts `loops` detached async loops and
 * returns at once. Each loop, for ever, awaits one capability call (storage.get) and then burns
 * CPU in a busy loop for `burnMs` of wall-clock time (below the app's cpuMsPerEvent, so every
 * burst is allowed). No event of the app is open while they run: this is work an event left
 * behind, which only the app's per-minute CPU budget and detached-call limit bound.
 */
import { defineApp } from '../../sdk/index.js';

export default defineApp({
  start(ctx) {
    let running = 0;
    ctx.services.provide('start', (input) => {
      const { loops, burnMs } = input as { loops: number; burnMs: number };
      const loop = async () => {
        for (;;) {
          await ctx.storage.get('x');
          const until = Date.now() + burnMs;
          while (Date.now() < until) {
            /* burn */
          }
        }
      };
      for (let i = 0; i < loops; i++) {
        running++;
        // Detached on purpose: the event returns while the loops go on. A refused call ends its loop.
        loop().catch((err: unknown) => {
          running--;
          ctx.log.warn('a hog loop ended', { error: String((err as Error)?.message ?? err) });
        });
      }
      return { running };
    });
  },
});
