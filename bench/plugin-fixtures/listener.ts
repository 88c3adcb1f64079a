import { definePlugin } from '../../sdk/index.js';

/** Counts the messages it hears about, as a light analytics plugin would. */
export default definePlugin({
  start(ctx) {
    let seen = 0;
    ctx.events.on('message.created', ({ message }) => {
      if (message.content?.type === 'text') seen++;
    });
    ctx.log.debug('listening', { seen });
  },
});
