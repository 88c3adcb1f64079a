import { definePlugin } from '../../sdk/index.js';

/** Looks at every text (as a moderation plugin would) and lets it through. */
export default definePlugin({
  start(ctx) {
    ctx.hooks.beforeStore((message) => {
      const text = 'text' in message.content ? message.content.text : '';
      return text.includes('\u0000')
        ? { action: 'reject', reason: 'NUL characters are not allowed' }
        : { action: 'allow' };
    });
  },
});
