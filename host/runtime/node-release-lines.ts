/**
 * Node.js release lines and their end-of-life dates (https://github.com/nodejs/Release). Only
 * even lines become LTS; odd lines live six months and isolated-vm ships no build for them, so
 * they are never supported here. After its end of life a line gets no more V8 security fixes.
 */
export const NODE_RELEASE_LINES: Readonly<Record<number, { readonly endOfLife: string }>> = {
  20: { endOfLife: '2026-04-30' },
  22: { endOfLife: '2027-04-30' },
  24: { endOfLife: '2028-04-30' },
  26: { endOfLife: '2029-04-30' },
};

/** The line the project installs as the npm package `node` (package.json), used by every npm script. */
export const PROJECT_NODE_LINE = 24;

export interface LineStatus {
  readonly major: number;
  readonly supported: boolean;
  /** Why an unsupported line is refused. */
  readonly reason?: 'end_of_life' | 'odd_line' | 'unknown_line';
  /** YYYY-MM-DD, for a line in the table. */
  readonly endOfLife?: string;
}

/** The major of a Node version such as "24.21.0" or "v24.21.0" (NaN if it is not one). */
export function majorOf(version: string): number {
  const m = /^v?(\d+)\./.exec(version.trim());
  return m ? Number(m[1]) : Number.NaN;
}

const lines = () =>
  Object.keys(NODE_RELEASE_LINES)
    .map(Number)
    .sort((a, b) => a - b);

/** UTC calendar day of `now` as YYYY-MM-DD; a line is supported through its end-of-life day. */
const dayOf = (now: Date) => now.toISOString().slice(0, 10);

/** Whether `version`'s release line is supported on the day `now`. */
export function releaseLineStatus(version: string, now: Date): LineStatus {
  const major = majorOf(version);
  if (major % 2 === 1) return { major, supported: false, reason: 'odd_line' };
  const line = NODE_RELEASE_LINES[major];
  if (!line) {
    // A line older than the table ended before it was written; a newer one is not known yet.
    return { major, supported: false, reason: major < lines()[0]! ? 'end_of_life' : 'unknown_line' };
  }
  if (dayOf(now) > line.endOfLife) return { major, supported: false, reason: 'end_of_life', endOfLife: line.endOfLife };
  return { major, supported: true, endOfLife: line.endOfLife };
}

/** The oldest line, from the project's own onwards, still supported on `now`: what to run instead. */
export function recommendedLine(now: Date): number {
  const all = lines();
  return (
    all.find((major) => major >= PROJECT_NODE_LINE && dayOf(now) <= NODE_RELEASE_LINES[major]!.endOfLife) ??
    all[all.length - 1]!
  );
}
