/**
 * What kinds of track a WebM file's opening bytes declare. file-type names every WebM video/webm,
 * but a voice message a browser records (MediaRecorder, audio/webm;codecs=opus) is WebM with one
 * audio track and no picture: it is audio, and is stored and shown as such.
 */
import { readUintBE } from './big-endian-uint.js';

const EBML = 0x1a45dfa3;
const SEGMENT = 0x18538067;
const TRACKS = 0x1654ae6b;
const TRACK_ENTRY = 0xae;
const TRACK_TYPE = 0x83;
const CLUSTER = 0x1f43b675;
/** Matroska's TrackType values for audio; 1 is video, others subtitles, buttons, metadata… */
const AUDIO = 2;

interface Element {
  id: number;
  /** Where the element's content starts. */
  start: number;
  /** Where it ends; for a size the writer left unknown (a live recording's Segment), the bytes' end. */
  end: number;
}

/**
 * True when the WebM in `bytes` declares tracks and every one of them is audio; false when one is
 * not; null when its Tracks are not within `bytes` (or they do not parse), which leaves the file as
 * file-type named it. Recorders write Tracks before the first Cluster, in the file's first bytes.
 */
export function webmIsAudioOnly(bytes: Uint8Array): boolean | null {
  try {
    const header = readElement(bytes, 0);
    if (header?.id !== EBML) return null;
    const segment = readElement(bytes, header.end);
    if (segment?.id !== SEGMENT) return null;
    const tracks = children(bytes, segment).find((e) => e.id === TRACKS);
    if (!tracks) return null;
    const types = children(bytes, tracks)
      .filter((e) => e.id === TRACK_ENTRY)
      .map((entry) => children(bytes, entry).find((e) => e.id === TRACK_TYPE))
      .map((type) => (type ? readUintBE(bytes, type.start, type.end) : null));
    if (types.length === 0) return null;
    return types.every((type) => type === AUDIO);
  } catch {
    // Cut short or malformed: not ours to judge; file-type's answer stands.
    return null;
  }
}

/** The elements inside `parent`, up to its end or the first Cluster (the media, never needed here). */
function children(bytes: Uint8Array, parent: Element): Element[] {
  const found: Element[] = [];
  let at = parent.start;
  while (at < parent.end) {
    const element = readElement(bytes, at);
    if (!element || element.id === CLUSTER) break;
    found.push(element);
    // An element whose content runs past the bytes in hand is the last one read.
    if (element.end > parent.end) break;
    at = element.end;
  }
  return found;
}

function readElement(bytes: Uint8Array, at: number): Element | null {
  const id = readVint(bytes, at, true);
  if (!id) return null;
  const size = readVint(bytes, at + id.length, false);
  if (!size) return null;
  const start = at + id.length + size.length;
  return { id: id.value!, start, end: size.value === null ? bytes.length : start + size.value };
}

/**
 * An EBML variable-length integer: its length is one more than the leading zero bits of its first
 * byte. An ID keeps that marker bit; a size drops it, and all ones mean "unknown" (null).
 */
function readVint(bytes: Uint8Array, at: number, keepMarker: boolean): { value: number | null; length: number } | null {
  const first = bytes[at];
  if (first === undefined || first === 0) return null;
  const length = Math.clz32(first) - 23;
  if (at + length > bytes.length || length > 8) return null;
  let value = keepMarker ? first : first & (0xff >> length);
  let allOnes = value === 0xff >> length;
  for (let i = 1; i < length; i++) {
    value = value * 256 + bytes[at + i]!;
    allOnes &&= bytes[at + i] === 0xff;
  }
  return { value: !keepMarker && allOnes ? null : value, length };
}
