import type { Message } from '../../../sdk/protocol/message.js';
import { unformattedText } from './message-text';
import { isSystem, systemText, type Wording } from '../i18n/system-text';
import { isVoiceMessage } from '../attachments/voice-file';

/** A short line for what a structured message is: its own text when it has one, else a label. */
export function structuredLabel(content: { type: string; body?: Record<string, unknown> }, w: Wording): string {
  const text = content.body?.text ?? content.body?.title;
  return typeof text === 'string' && text.trim() !== '' ? text : w.t('chat.preview.structured');
}

/** What a message sent with files and no words is: a photo, a voice message, a file, or how many files. */
export function filesLabel(message: Message, w: Wording): string | null {
  const files = message.attachments ?? [];
  if (files.length === 0) return null;
  if (files.length > 1) return w.t('chat.preview.files', { count: files.length });
  if (isVoiceMessage(files[0]!)) return w.t('voice.message');
  return w.t(files[0]!.mimeType.startsWith('image/') ? 'chat.preview.photo' : 'chat.preview.file');
}

/**
 * The one line the conversation list shows of a conversation's last message: its text, without its
 * formatting markers (after who sent it, in groups or when it is mine), what files it carries when
 * it has no text, a system change in words, or a label for a deleted or structured message. With
 * `sayThread` (the conversation list), a reply in a thread says so: the conversation opens on its
 * main timeline, where that reply is not.
 */
export function previewOf(
  message: Message | null,
  w: Wording & { me: string; group: boolean; sayThread?: boolean },
): string {
  const { t } = w;
  if (!message) return t('chat.preview.empty');
  if (message.deletedAt || !message.content) return t('chat.preview.deleted');
  const content = message.content;
  if (isSystem(content)) return systemText(content, message.senderId, w);
  const words = unformattedText(message);
  // Files sent without a caption: what they are, not an empty line after "You:".
  const text = (words?.trim() === '' ? filesLabel(message, w) : null) ?? words ?? structuredLabel(content, w);
  const inThread = w.sayThread === true && Boolean(message.threadRootId);
  if (message.senderId === w.me) return t(inThread ? 'chat.preview.mineInThread' : 'chat.preview.mine', { text });
  if (inThread) return t('chat.preview.theirsInThread', { name: w.name(message.senderId), text });
  return w.group ? t('chat.preview.theirs', { name: w.name(message.senderId), text }) : text;
}
