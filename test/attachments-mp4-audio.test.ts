/**
 * An MP4 whose tracks are all sound (what Safari's MediaRecorder makes of a voice message: AAC in
 * MP4, audio/mp4) is stored and served as audio/mp4, not file-type's video/mp4; an MP4 with a
 * picture stays video/mp4. The tracks are read from the boxes in the upload's first bytes; a box
 * structure that is cut short, oversized, endless or malformed leaves the file as file-type named
 * it, and the host stores it all the same.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mp4IsAudioOnly } from '../host/attachments/mp4-tracks.js';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { fetchFile, upload } from './support/attachment-helpers.js';
import { mp4Box, mp4FileType, mp4Movie, mp4Track, mp4With } from './support/media-fixtures.js';

/** A box whose header says `size`, however wrong, over `content`. */
function rawBox(size: number, type: string, ...content: Buffer[]): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(size);
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, ...content]);
}

/** A box with a 64-bit size (size 1, then the real one). */
function largeBox(size: bigint, type: string, ...content: Buffer[]): Buffer {
  const large = Buffer.alloc(8);
  large.writeBigUInt64BE(size);
  return rawBox(1, type, large, ...content);
}

const mvhd = () => mp4Box('mvhd', Buffer.alloc(100));
const sound = () => mp4Track('audio', 1);
const withMovie = (...children: Buffer[]) => Buffer.concat([mp4FileType(), mp4Box('moov', ...children)]);

/** Box structures a hostile uploader could write, each with sound tracks the walk must not trust. */
const HOSTILE: Record<string, Buffer> = {
  'a file cut inside its movie box': mp4With(['audio']).subarray(0, 200),
  'a track larger than its movie box': withMovie(mvhd(), rawBox(100_000, 'trak', sound())),
  'a box of size 0 (to the end) inside the movie box': withMovie(mvhd(), rawBox(0, 'free'), sound()),
  'a box smaller than its own header': withMovie(mvhd(), rawBox(4, 'free'), sound()),
  'a box of size 0 in a track': withMovie(mp4Box('trak', rawBox(0, 'mdia'))),
  'a 64-bit size past any file': withMovie(mvhd(), largeBox(2n ** 64n - 1n, 'free'), sound()),
  'a 64-bit size smaller than its header': withMovie(mvhd(), largeBox(8n, 'free'), sound()),
  'a 64-bit size cut short': Buffer.concat([mp4FileType(), rawBox(1, 'moov', Buffer.alloc(3))]),
  'thousands of empty boxes before the track': withMovie(
    ...Array.from({ length: 5000 }, () => mp4Box('free')),
    sound(),
  ),
  'a handler box too short to name a kind': withMovie(mp4Box('trak', mp4Box('mdia', mp4Box('hdlr', Buffer.alloc(8))))),
  'a track without media': withMovie(mvhd(), mp4Box('trak', mp4Box('tkhd', Buffer.alloc(84)))),
  'a movie box without tracks': withMovie(mvhd()),
  'a movie box of size 0 (to the end)': Buffer.concat([mp4FileType(), rawBox(0, 'moov', mvhd(), sound())]),
};

describe('MP4 uploads', () => {
  let host: TestHost;
  let ada: TestUser;

  beforeAll(async () => {
    host = await startTestHost();
    ada = await host.createUser();
  });
  afterAll(() => host?.stop());

  it('takes an MP4 of sound tracks only as audio/mp4, served inline as audio', async () => {
    // Safari declares audio/mp4; a client may declare nothing, or the video type of the container.
    for (const declared of ['audio/mp4', 'audio/mp4;codecs=mp4a.40.2', undefined, 'video/mp4']) {
      const voice = await upload(host, ada, mp4With(['audio']), 'voice-message.m4a', declared);
      expect(voice.status).toBe(201);
      expect(voice.body.mimeType).toBe('audio/mp4');
    }
    const two = await upload(host, ada, mp4With(['audio', 'audio']), 'two.m4a');
    expect(two.body.mimeType).toBe('audio/mp4');
    const file = await fetchFile(host, two.body.url, { range: 'bytes=0-3' });
    expect(file.status).toBe(206);
    expect(file.headers.get('content-type')).toBe('audio/mp4');
    expect(file.headers.get('content-disposition')).toMatch(/^inline;/);
    // Written without "fast start", its movie box last: read all the same when within the first bytes.
    const small = await upload(host, ada, mp4With(['audio'], { moovLast: true }), 'late.m4a');
    expect(small.body.mimeType).toBe('audio/mp4');
    // Past them (the first 64 KiB), its tracks are unknown: file-type's answer stands.
    const large = await upload(host, ada, mp4With(['audio'], { mediaBytes: 70 * 1024, moovLast: true }), 'late.m4a');
    expect(large.body.mimeType).toBe('video/mp4');
  });

  it('keeps an MP4 with a picture video/mp4', async () => {
    for (const tracks of [['video'], ['audio', 'video'], ['video', 'audio']] as const) {
      const res = await upload(host, ada, mp4With(tracks), 'clip.mp4', 'video/mp4');
      expect(res.status).toBe(201);
      expect(res.body.mimeType).toBe('video/mp4');
    }
  });

  it('stores a hostile or cut box structure as file-type names it, video/mp4', async () => {
    for (const [what, bytes] of Object.entries(HOSTILE)) {
      const res = await upload(host, ada, bytes, 'odd.mp4');
      expect({ what, status: res.status, type: res.body.mimeType }).toEqual({ what, status: 201, type: 'video/mp4' });
    }
    // The host is still there for the next upload.
    expect((await upload(host, ada, mp4With(['audio']), 'after.m4a')).body.mimeType).toBe('audio/mp4');
  });
});

describe('mp4IsAudioOnly', () => {
  it('never answers for a movie box it does not hold whole, however the file is cut', () => {
    const whole = mp4With(['audio']);
    const moovEnd = mp4FileType().length + mp4Movie(['audio']).length;
    for (let length = 0; length <= whole.length; length++) {
      expect({ length, answer: mp4IsAudioOnly(whole.subarray(0, length)) }).toEqual({
        length,
        answer: length < moovEnd ? null : true,
      });
    }
  });

  it('does not trust a hostile structure, nor read a video track as sound', () => {
    for (const [what, bytes] of Object.entries(HOSTILE))
      expect({ what, answer: mp4IsAudioOnly(bytes) }).toEqual({ what, answer: null });
    expect(mp4IsAudioOnly(mp4With(['audio', 'video']))).toBe(false);
  });
});
