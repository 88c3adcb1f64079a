/**
 * Recorded audio is stored and served as audio: a WebM with only audio tracks (what a browser's
 * MediaRecorder makes of a voice message) is audio/webm, not file-type's video/webm; Ogg Opus is
 * audio/ogg, without the codecs parameter file-type adds. An operator who allows only those audio
 * types takes voice messages and still refuses video.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { fetchFile, upload } from './support/attachment-helpers.js';
import { oggOpus, webmWith } from './support/media-fixtures.js';

describe('audio uploads', () => {
  let host: TestHost;
  let ada: TestUser;

  beforeEach(async () => {
    host = await startTestHost({ config: { attachments: { allowedTypes: ['audio/webm', 'audio/ogg'] } } });
    ada = await host.createUser();
  });
  afterEach(() => host.stop());

  it('takes a WebM of audio tracks only as audio/webm, served inline as audio', async () => {
    const voice = await upload(host, ada, webmWith(['audio']), 'voice-message.webm', 'audio/webm;codecs=opus');
    expect(voice.status).toBe(201);
    expect(voice.body.mimeType).toBe('audio/webm');
    const file = await fetchFile(host, voice.body.url, { range: 'bytes=0-3' });
    expect(file.status).toBe(206);
    expect(file.headers.get('content-type')).toBe('audio/webm');
    expect(file.headers.get('content-disposition')).toMatch(/^inline;/);
    // No claim at all: the content alone says audio.
    expect((await upload(host, ada, webmWith(['audio', 'audio']), 'two.webm')).body.mimeType).toBe('audio/webm');
  });

  it('keeps a WebM with a video track video/webm, which this host then refuses', async () => {
    for (const tracks of [['video'], ['audio', 'video']] as const) {
      const res = await upload(host, ada, webmWith(tracks), 'clip.webm', 'video/webm');
      expect(res.status).toBe(415);
      expect(res.body.error).toMatchObject({
        code: 'attachment_type_not_allowed',
        message: 'This host does not take video/webm uploads.',
      });
    }
  });

  it('takes Ogg Opus as audio/ogg, whatever audio type it is declared as', async () => {
    for (const declared of [undefined, 'audio/ogg', 'audio/ogg; codecs=opus', 'audio/opus']) {
      const res = await upload(host, ada, oggOpus(), 'note.ogg', declared);
      expect(res.status).toBe(201);
      expect(res.body.mimeType).toBe('audio/ogg');
    }
  });
});
