/** A real pino logger for HostOptions.logger whose output tests read back. */
import { Writable } from 'node:stream';
import { pino } from 'pino';

/** A pino logger at `level` whose lines land, parsed, in `lines`; `text` is everything written. */
export function capturedLogger(level: 'debug' | 'info' | 'warn' = 'debug') {
  const lines: any[] = [];
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level }, stream), lines, text: () => text };
}
