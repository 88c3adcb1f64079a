import type { RefObject } from 'preact';
import { useState } from 'preact/hooks';
import type { Message } from '../../../sdk/protocol/message.js';
import { useI18n } from '../i18n/i18n-context';
import { useSignedIn } from '../session/session-context';
import { BusinessMenu } from '../structured/business-menu';
import { CommandPicker } from '../structured/command-picker';
import { FormAlert } from './form-alert';
import { useSnippet } from './reply-quote';
import { useAction } from './use-action';
import { useTypingSignal } from './use-typing-signal';
import { whenOnline } from './when-online';

interface Props {
  conversationId: string;
  replyTo: Message | null;
  replyName: string;
  onCancelReply: () => void;
  /** A command's answer, to show in the thread for me only. */
  onCommandReply: (command: string, text: string) => void;
  input: RefObject<HTMLTextAreaElement | null>;
}

/**
 * Writes a message: Enter sends, Shift+Enter is a new line. Text starting with "/" is a command:
 * the picker lists them, and Enter runs it. Sending never waits for the host: the message is queued
 * (shown as sending until stored), so it also works offline.
 */
export function Composer({ conversationId, replyTo, replyName, onCancelReply, onCommandReply, input }: Props) {
  const { t } = useI18n();
  const { client } = useSignedIn();
  const [text, setText] = useState('');
  const typing = useTypingSignal(conversationId);
  const command = useAction();
  const snippet = useSnippet();

  const submit = () => {
    const body = text.trim();
    if (body === '') return;
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
    client.send(conversationId, body, replyTo ? { replyToId: replyTo.id } : {});
    setText('');
    command.clear();
    onCancelReply();
  };

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
            <span class="reply-to">{t('chat.reply.replyingTo', { name: replyName })}</span>{' '}
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
      <FormAlert error={command.error} />
      <BusinessMenu conversationId={conversationId} />
      <div class="composer-row">
        <textarea
          ref={input}
          class="composer-input"
          aria-label={t('chat.composer.label')}
          placeholder={t('chat.composer.placeholder')}
          rows={1}
          value={text}
          onInput={(e) => edit(e.currentTarget.value)}
          onBlur={typing.stop}
          onKeyDown={(e) => {
            if (e.defaultPrevented || e.key !== 'Enter' || e.shiftKey || e.isComposing) return;
            e.preventDefault();
            submit();
          }}
        />
        <button type="submit" class="primary" disabled={command.busy}>
          {command.busy ? t('chat.composer.running') : t('chat.composer.send')}
        </button>
      </div>
    </form>
  );
}
