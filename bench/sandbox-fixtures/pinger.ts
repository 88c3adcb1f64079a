/** The benchmark's app: each event (a call of its service "ping") makes one capability call and returns. */
import { defineApp } from '../../sdk/index.js';

export default defineApp({
  start(ctx) {
    ctx.services.provide('ping', async (input) => {
      const stored = await ctx.storage.get<number>('counter');
      return { n: (input as { n: number }).n, stored: stored?.value ?? null };
    });
  },
});
