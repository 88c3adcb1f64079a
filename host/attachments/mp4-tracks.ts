/**
 * What kinds of track an MP4 (ISO base media) file's opening bytes declare. file-type names an MP4
 * by its brand alone, video/mp4 for most, but a voice message Safari records (MediaRecorder,
 * audio/mp4: AAC in MP4) is an MP4 with one sound track and no picture: it is audio, and is stored
 * and shown as such. Each track says its kind in its media's handler box: moov > trak > mdia >
 * hdlr, `soun` for sound, `vide` for a picture.
 */
import { readUintBE } from './big-endian-uint.js';

/** The boxes read at most: a file of thousands of tiny boxes costs no more than a real one (a few dozen). */
const MAX_BOXES = 1000;
const SOUND = 'soun';

interface Box {
  type: string;
  /** Where the box's content starts, after its header. */
  start: number;
  /** Where it ends; Infinity for a box that runs to the file's end (size 0), wherever that is. */
  end: number;
}

/** Boxes left to read, shared by the whole walk. */
interface Budget {
  left: number;
}

/**
 * True when the MP4 in `bytes` declares tracks and every one is sound; false when one is another
 * kind; null when its movie box (moov) is not wholly within `bytes` or does not parse, which leaves
 * the file as file-type named it. Recorders and "fast start" files write moov before the media;
 * one written after more media than `bytes` holds leaves the file video/mp4. The walk follows the
 * one path above, four levels deep and no deeper, and every box must fit in its parent.
 */
export function mp4IsAudioOnly(bytes: Uint8Array): boolean | null {
  const budget: Budget = { left: MAX_BOXES };
  const moov = movieBox(bytes, budget);
  if (!moov) return null;
  const tracks = children(bytes, moov, budget)?.filter((box) => box.type === 'trak');
  if (!tracks || tracks.length === 0) return null;
  const kinds = tracks.map((trak) => handlerType(bytes, trak, budget));
  if (kinds.includes(null)) return null;
  return kinds.every((kind) => kind === SOUND);
}

/** The top-level moov box, if the bytes hold all of it; the boxes before it (ftyp, free…) are skipped. */
function movieBox(bytes: Uint8Array, budget: Budget): Box | null {
  for (let at = 0; at < bytes.length;) {
    if (--budget.left < 0) return null;
    const box = readBox(bytes, at);
    if (!box) return null;
    if (box.type === 'moov') return box.end <= bytes.length ? box : null;
    // A box running past the bytes in hand (the media, mdat) ends the search: moov is not here.
    at = box.end;
  }
  return null;
}

/** A track's handler type (`soun`, `vide`…), or null when its mdia or hdlr box is missing or malformed. */
function handlerType(bytes: Uint8Array, trak: Box, budget: Budget): string | null {
  const mdia = children(bytes, trak, budget)?.find((box) => box.type === 'mdia');
  const hdlr = mdia && children(bytes, mdia, budget)?.find((box) => box.type === 'hdlr');
  // A full box: version and flags (4 bytes), pre_defined (4), then the handler type (4).
  if (!hdlr || hdlr.end - hdlr.start < 12) return null;
  return fourCc(bytes, hdlr.start + 8);
}

/** The boxes that fill `parent`, which is within the bytes; null when one does not fit or the budget runs out. */
function children(bytes: Uint8Array, parent: Box, budget: Budget): Box[] | null {
  const found: Box[] = [];
  for (let at = parent.start; at < parent.end;) {
    if (--budget.left < 0) return null;
    const box = readBox(bytes, at);
    if (!box || box.end > parent.end) return null;
    found.push(box);
    at = box.end;
  }
  return found;
}

/**
 * The box at `at`: a 32-bit size (of the whole box, header included) and a four-character type;
 * size 1 means a 64-bit size follows, 0 that the box runs to the file's end. Null when the header
 * is cut short or the size is smaller than the header: each box read moves the walk on by 8 bytes
 * at least.
 */
function readBox(bytes: Uint8Array, at: number): Box | null {
  if (at + 8 > bytes.length) return null;
  const size = readUintBE(bytes, at, at + 4);
  const type = fourCc(bytes, at + 4);
  if (size === 0) return { type, start: at + 8, end: Infinity };
  if (size !== 1) return size < 8 ? null : { type, start: at + 8, end: at + size };
  if (at + 16 > bytes.length) return null;
  const large = readUintBE(bytes, at + 8, at + 16);
  return large < 16 ? null : { type, start: at + 16, end: at + large };
}

function fourCc(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(...bytes.subarray(at, at + 4));
}
