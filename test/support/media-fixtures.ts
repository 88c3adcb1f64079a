/**
 * Audio and video containers built byte by byte, as small as sniffing needs: the opening of a WebM
 * (EBML) as MediaRecorder writes it, an MP4's boxes, and an Ogg Opus first page. Not playable; real
 * recordings come from the browser tests' fake microphone.
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

/** An MP4 (ISO base media) box: its 32-bit size, header included, its four-character type, its content. */
export function mp4Box(type: string, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  const header = Buffer.alloc(8);
  header.writeUInt32BE(8 + body.length);
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, body]);
}

/** A track as MediaRecorder writes one: its header, and its media with the handler naming its kind. */
export function mp4Track(kind: 'audio' | 'video', id: number): Buffer {
  const tkhd = Buffer.alloc(84);
  tkhd.writeUInt32BE(id, 12);
  const handler = kind === 'audio' ? 'soun' : 'vide';
  const hdlr = mp4Box(
    'hdlr',
    Buffer.alloc(8), // Version and flags, pre_defined.
    Buffer.from(handler, 'latin1'),
    Buffer.alloc(12),
    Buffer.from(kind === 'audio' ? 'SoundHandler\0' : 'VideoHandler\0', 'latin1'),
  );
  const header = kind === 'audio' ? mp4Box('smhd', Buffer.alloc(8)) : mp4Box('vmhd', Buffer.alloc(12));
  const mdia = mp4Box('mdia', mp4Box('mdhd', Buffer.alloc(24)), hdlr, mp4Box('minf', header));
  return mp4Box('trak', mp4Box('tkhd', tkhd), mdia);
}

/** The movie box declaring `tracks`, in order. */
export function mp4Movie(tracks: readonly ('audio' | 'video')[]): Buffer {
  return mp4Box('moov', mp4Box('mvhd', Buffer.alloc(100)), ...tracks.map((kind, i) => mp4Track(kind, i + 1)));
}

/** The ftyp box of Chromium's and Safari's recordings: brand isom, which file-type calls video/mp4. */
export const mp4FileType = (): Buffer =>
  mp4Box('ftyp', Buffer.from('isom'), Buffer.from([0, 0, 2, 0]), Buffer.from('isomiso6iso2mp41'));

/**
 * An MP4 declaring `tracks`: ftyp, moov, then `mediaBytes` of media (mdat), as a recorder writes it;
 * with `moovLast`, the movie box after the media, as a file written without "fast start".
 */
export function mp4With(tracks: readonly ('audio' | 'video')[], { mediaBytes = 64, moovLast = false } = {}): Buffer {
  const media = mp4Box('mdat', Buffer.alloc(mediaBytes, 7));
  const moov = mp4Movie(tracks);
  return Buffer.concat(moovLast ? [mp4FileType(), media, moov] : [mp4FileType(), moov, media]);
}
