/** The smallest useful app: one command, nothing else. Used for cold starts and idle memory. */
import { defineApp } from '../../sdk/index.js';

export default defineApp({
  start(ctx) {
    ctx.commands.handle('hello', () => ({ text: 'hello' }));
  },
});
