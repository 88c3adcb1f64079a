/**
 * Audio and video containers built byte by byte, as small as sniffing needs: the opening of a WebM
 * (EBML) as MediaRecorder writes it, and an Ogg Opus first page. Not playable; real recordings come
 * from the browser tests' fake microphone.
 */

/** An EBML element: its ID's bytes, its size (a variable-length integer) and its content. */
function element(id: number[], content: Buffer | Buffer[], unknownSize = false): Buffer {
  const body = Buffer.concat(Array.isArray(content) ? content : [content]);
  // Sizes as 8-byte variable-length integers (0x01 then 7 bytes), as muxers often write them.
  const size = Buffer.alloc(8);
  if (unknownSize) size.fill(0xff, 1);
  else size.writeUIntBE(body.length, 2, 6);
  size[0] = 0x01;
  return Buffer.concat([Buffer.from(id), size, body]);
}

const uint = (value: number) => Buffer.from([value]);

/**
 * A WebM whose Tracks declare `tracks` (in order), then a Cluster, in a Segment of unknown size:
 * a live recording's layout.
 */
export function webmWith(tracks: readonly ('audio' | 'video')[]): Buffer {
  const header = element(
    [0x1a, 0x45, 0xdf, 0xa3],
    [element([0x42, 0x86], uint(1)), element([0x42, 0x82], Buffer.from('webm')), element([0x42, 0x87], uint(4))],
  );
  const info = element([0x15, 0x49, 0xa9, 0x66], element([0x2a, 0xd7, 0xb1], Buffer.from([0x0f, 0x42, 0x40])));
  const entries = tracks.map((kind, i) =>
    element(
      [0xae],
      [
        element([0xd7], uint(i + 1)),
        element([0x83], uint(kind === 'audio' ? 2 : 1)),
        element([0x86], Buffer.from(kind === 'audio' ? 'A_OPUS' : 'V_VP8')),
      ],
    ),
  );
  const cluster = element([0x1f, 0x43, 0xb6, 0x75], [element([0xe7], uint(0)), Buffer.alloc(64, 7)], true);
  const segment = element([0x18, 0x53, 0x80, 0x67], [info, element([0x16, 0x54, 0xae, 0x6b], entries), cluster], true);
  return Buffer.concat([header, segment]);
}

/** An Ogg page holding an OpusHead: the start of an .opus file (its checksum left at zero). */
export function oggOpus(): Buffer {
  const head = Buffer.concat([Buffer.from('OpusHead'), Buffer.from([1, 1, 0x38, 0x01, 0x80, 0xbb, 0, 0, 0, 0, 0])]);
  const page = Buffer.alloc(27);
  page.write('OggS', 0);
  page[5] = 0x02; // The stream's first page.
  page.writeUInt32LE(0x1234, 14); // Stream serial number.
  page[26] = 1; // One segment, of the head's length:
  return Buffer.concat([page, Buffer.from([head.length]), head]);
}
