import { useId } from 'preact/hooks';
import { useI18n } from '../i18n/i18n-context';

/** A command's answer: shown only here, to the person who ran it, and gone on reload. */
export interface CommandNote {
  id: string;
  command: string;
  text: string;
  /** The newest seq when it came, so it stays where it was said as messages follow. */
  afterSeq: number;
}

export function CommandNoteItem({ note, onDismiss }: { note: CommandNote; onDismiss: () => void }) {
  const { t } = useI18n();
  const id = useId();
  return (
    <li class="command-note" aria-labelledby={`${id}-label ${id}-text`}>
      <p class="note-label" id={`${id}-label`}>
        {t('chat.command.onlyYou', { command: note.command })}
      </p>
      <p class="message-text" id={`${id}-text`}>
        {note.text}
      </p>
      <button type="button" class="note-dismiss" onClick={onDismiss}>
        {t('chat.command.dismiss')}
      </button>
    </li>
  );
}
