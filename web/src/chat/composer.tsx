import type { RefObject } from 'preact';
import { useRef } from 'preact/hooks';
import type { Message } from '../../../sdk/protocol/message.js';
import { StagedFiles } from '../attachments/staged-files';
import { MAX_FILES, type StagedUploads } from '../attachments/use-staged-uploads';
import { useI18n } from '../i18n/i18n-context';
import { useSignedIn } from '../session/session-context';
import { BusinessMenu } from '../structured/business-menu';
import { CommandPicker } from '../structured/command-picker';
import { ErrorNotice } from '../components/error-notice';
import { ShortLabel } from '../components/short-label';
import { usePhoneScreen } from '../components/use-phone-screen';
import { MentionPicker } from './mention-picker';
import { usePeople } from '../people/people';
import { useSnippet } from './reply-quote';
import { useAction } from '../components/use-action';
import { useTypingSignal } from './use-typing-signal';
import { whenOnline } from './when-online';
import { hostLimits, textLength } from '../session/host-limits';
import { TextLengthNote } from './text-length-note';
import type { Draft } from './composer-draft';
import { useVoiceMessage } from './use-voice-message';
import { VoiceRecordButton } from '../attachments/voice-record-button';
import { VoiceRecordingBar } from '../attachments/voice-recording-bar';
import { MAX_RECORDING_MS } from '../attachments/use-voice-recorder';
import { clockText } from '../attachments/voice-file';

interface Props {
  conversationId: string;
  replyTo: Message | null;
  replyName: string;
  onCancelReply: () => void;
  /** A command's answer, to show in the thread for me only. */
  onCommandReply: (command: string, text: string) => void;
  input: RefObject<HTMLTextAreaElement | null>;
  /** The text typed and the files staged: held by the screen, where a refused send may come back into them. */
  draft: Draft;
  staged: StagedUploads;
}

/**
 * Writes a message: Enter sends, Shift+Enter is a new line. Text starting with "/" is a command:
 * the picker lists them, and Enter runs it. "@" lists the members to mention. Files come by the
 * attach button or pasted (dropped, anywhere on the conversation, the screen stages them), and
 * upload at once. The microphone records a voice message, sent as a file once it has uploaded.
 * Sending never waits for the host: the message is queued (shown as sending until stored), so it
 * also works offline.
 */
export function Composer(props: Props) {
  const { conversationId, replyTo, replyName, onCancelReply, onCommandReply, input } = props;
  const { t } = useI18n();
  const { client } = useSignedIn();
  const { text, setText } = props.draft;
  const typing = useTypingSignal(conversationId);
  const command = useAction();
  const people = usePeople();
  const snippet = useSnippet(people);
  const staged = props.staged;
  const picker = useRef<HTMLInputElement>(null);
  const phone = usePhoneScreen();
  const attach = (files: readonly File[]) => {
    if (files.length > 0) staged.add(files);
  };

  const maxLength = hostLimits(client)?.maxTextLength ?? null;
  const length = textLength(text.trim());
  // Refused here, not by the host after the composer emptied: the text stays to be shortened.
  const tooLong = maxLength !== null && length > maxLength;

  const submit = () => {
    const body = text.trim();
    if (body === '' && staged.files.length === 0) return;
    if (!staged.ready || tooLong) return;
    typing.stop();
    if (body.startsWith('/')) {
      void command.run(async () => {
        await whenOnline(client);
        const result = await client.command(conversationId, body);
        onCommandReply(body.split(/\s/)[0]!, result.reply?.text ?? t('chat.command.noReply'));
        setText('');
      });
      return;
    }
    client.send(conversationId, body, {
      ...(replyTo ? { replyToId: replyTo.id } : {}),
      ...(staged.ids.length > 0 ? { attachmentIds: staged.ids } : {}),
    });
    staged.clear();
    setText('');
    command.clear();
    onCancelReply();
  };

  // A command is not sent with files: a recording waits, staged, for the Send button.
  const voice = useVoiceMessage(staged, () => {
    if (!text.trim().startsWith('/')) submit();
  });

  const edit = (value: string) => {
    setText(value);
    typing.typed(value);
    if (command.error) command.clear();
  };

  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      {replyTo ? (
        <div class="reply-banner">
          <p>
            <span class="reply-to">
              {replyTo.senderId === people.me.id
                ? t('chat.reply.replyingToMine')
                : t('chat.reply.replyingTo', { name: replyName })}
            </span>{' '}
            <span class="reply-snippet">{snippet(replyTo)}</span>
          </p>
          <button type="button" onClick={onCancelReply}>
            {t('chat.reply.cancel')}
          </button>
        </div>
      ) : null}
      {text.startsWith('/') ? (
        <CommandPicker
          conversationId={conversationId}
          text={text}
          onPick={(picked) => {
            setText(picked);
            input.current?.focus();
          }}
        />
      ) : null}
      {text.startsWith('/') ? null : (
        <MentionPicker
          conversationId={conversationId}
          text={text}
          input={input}
          onPick={(picked) => {
            edit(picked);
            input.current?.focus();
          }}
        />
      )}
      <ErrorNotice error={command.error} />
      <TextLengthNote length={length} max={maxLength} />
      <BusinessMenu conversationId={conversationId} />
      <StagedFiles staged={staged} />
      {voice.atLimit ? <p class="voice-note">{t('voice.limitReached', { max: clockText(MAX_RECORDING_MS) })}</p> : null}
      <ErrorNotice error={voice.recorder.error} />
      {voice.recorder.phase === 'idle' ? null : (
        <VoiceRecordingBar recorder={voice.recorder} onDone={() => input.current?.focus()} />
      )}
      {staged.tooMany ? <p class="error-notice">{t('attachments.tooMany', { max: MAX_FILES })}</p> : null}
      <div class="composer-row">
        <input
          ref={picker}
          type="file"
          multiple
          hidden
          onChange={(e) => {
            attach([...(e.currentTarget.files ?? [])]);
            e.currentTarget.value = '';
          }}
        />
        <button
          type="button"
          class="attach-button"
          aria-label={t('attachments.attach')}
          onClick={() => picker.current?.click()}
        >
          <ShortLabel full={t('attachments.attach')} short={t('attachments.attachShort')} />
        </button>
        <textarea
          ref={input}
          class="composer-input"
          aria-label={t('chat.composer.label')}
          // Focused when the conversation opens: its name is read with it.
          aria-describedby="chat-title"
          data-route-focus
          // A phone's narrow box would cut the full hint mid-word; the label (its name) stays whole.
          placeholder={t(phone ? 'chat.composer.placeholderShort' : 'chat.composer.placeholder')}
          rows={1}
          value={text}
          onInput={(e) => edit(e.currentTarget.value)}
          onBlur={typing.stop}
          onPaste={(e) => {
            const files = [...(e.clipboardData?.files ?? [])];
            if (files.length === 0) return;
            e.preventDefault();
            attach(files);
          }}
          onKeyDown={(e) => {
            if (e.defaultPrevented || e.key !== 'Enter' || e.shiftKey || e.isComposing) return;
            e.preventDefault();
            submit();
          }}
        />
        {/* After the text box, beside Send, as messengers have it: the Tabs from the log to the box stay few. */}
        <VoiceRecordButton disabled={!voice.canRecord} onClick={voice.recorder.start} />
        <button type="submit" class="primary" disabled={command.busy || !staged.ready}>
          {command.busy ? t('chat.composer.running') : staged.busy ? t('attachments.waiting') : t('chat.composer.send')}
        </button>
      </div>
    </form>
  );
}
