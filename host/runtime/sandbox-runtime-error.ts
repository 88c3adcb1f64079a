import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import { recommendedLine, releaseLineStatus, PROJECT_NODE_LINE } from './node-release-lines.js';

/**
 * Null when this Node may run untrusted code; otherwise the `runtime_unsupported` error that
 * refuses a sandboxed app. Untrusted code relies on V8 for isolation, so it only runs on a line
 * that still gets V8 security fixes. `now` is the host clock's time.
 */
export function sandboxRuntimeError(now: Date, version: string = process.versions.node): SwitchboardError | null {
  const status = releaseLineStatus(version, now);
  if (status.supported) return null;
  const why =
    status.reason === 'odd_line'
      ? `Node ${version} is an odd release line: it never becomes LTS, gets no more V8 security fixes after six months, and isolated-vm ships no build for it`
      : status.reason === 'unknown_line'
        ? `Node ${version} is a release line this host has no end-of-life date for, so it cannot tell whether it still gets V8 security fixes`
        : `Node ${version} is past its end of life${status.endOfLife ? ` (${status.endOfLife})` : ''}: it gets no more V8 security fixes`;
  return new SwitchboardError(
    'runtime_unsupported',
    `${why}. Sandboxed apps are refused, because untrusted code needs a supported V8. ` +
      `Fix: start the host through npm (npm start uses the Node ${PROJECT_NODE_LINE} that npm install puts in node_modules/.bin/node), ` +
      `or run it with Node ${recommendedLine(now)} LTS or newer.`,
  );
}
