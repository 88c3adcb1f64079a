import { MAX_RESUME_CONVERSATIONS, type ResumePosition } from '../protocol/frames.js';

/** A resume frame's bytes besides its list (type, id, brackets), with room to spare. */
const FRAME_BYTES = 128;
const utf8 = new TextEncoder();

/**
 * The positions one resume frame lists, in the order given (most active first), of the
 * conversations with a position (pts null: no messages cached): at most MAX_RESUME_CONVERSATIONS, within the
 * host's frame size (a bigger frame would close the connection, 1009). `dropped` are those left
 * out, which start over.
 */
export function resumePositions(
  known: readonly { conversationId: string; pts: number | null }[],
  maxFrameBytes: number,
): { positions: ResumePosition[]; dropped: string[] } {
  const positions: ResumePosition[] = [];
  const dropped: string[] = [];
  let bytes = FRAME_BYTES;
  for (const { conversationId, pts } of known) {
    if (pts === null) continue;
    const position = { conversationId, pts };
    bytes += utf8.encode(JSON.stringify(position)).length + 1;
    if (positions.length < MAX_RESUME_CONVERSATIONS && bytes <= maxFrameBytes) positions.push(position);
    else dropped.push(position.conversationId);
  }
  return { positions, dropped };
}
