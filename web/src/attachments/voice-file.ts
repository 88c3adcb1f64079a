import type { Attachment } from '../../../sdk/protocol/message.js';

/**
 * What MediaRecorder is asked for, the first it supports: Opus in WebM (Chromium, Firefox), else
 * MP4 (Safari: AAC). The host stores either as audio when it has no picture track.
 */
const RECORDING_TYPES = ['audio/webm;codecs=opus', 'audio/mp4'];

/** The type to record in, or undefined for the browser's own choice. */
export function recordingType(): string | undefined {
  return RECORDING_TYPES.find((type) => MediaRecorder.isTypeSupported(type));
}

const EXTENSIONS: Readonly<Record<string, string>> = {
  'audio/webm': 'webm',
  'audio/ogg': 'ogg',
  'audio/mp4': 'm4a',
  'video/webm': 'webm',
  'video/mp4': 'mp4',
};

/**
 * A recording's file name: "voice-message-" and the local time it was made. The web client names
 * its recordings so, to show them as voice messages: the host never reads the name, so this is a
 * label the sender chose, as any file name is, not something checked.
 */
export function voiceFileName(when: Date, type: string): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const date = `${when.getFullYear()}-${pad(when.getMonth() + 1)}-${pad(when.getDate())}`;
  const time = `${pad(when.getHours())}-${pad(when.getMinutes())}-${pad(when.getSeconds())}`;
  return `voice-message-${date}-${time}.${EXTENSIONS[type.split(';')[0]!.trim()] ?? 'audio'}`;
}

/** Audio the web client recorded (named by voiceFileName); other audio shows under its own name. */
export function isVoiceMessage(attachment: Attachment): boolean {
  return attachment.mimeType.startsWith('audio/') && attachment.name.startsWith('voice-message-');
}

/** Any audio the host recognised plays in the log, recorded or uploaded. */
export function playsAsAudio(attachment: Attachment): boolean {
  return attachment.mimeType.startsWith('audio/');
}

/** A length as mm:ss (h:mm:ss past an hour); whole seconds, rounded down. */
export function clockText(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const pad = (n: number) => String(n).padStart(2, '0');
  const h = Math.floor(seconds / 3600);
  const rest = `${pad(Math.floor((seconds % 3600) / 60))}:${pad(seconds % 60)}`;
  return h > 0 ? `${h}:${rest}` : rest;
}
