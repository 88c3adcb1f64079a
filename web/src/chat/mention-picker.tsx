import type { RefObject } from 'preact';
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { useI18n } from '../i18n/i18n-context';
import { useSignedIn } from '../session/session-context';
import { useComposerKeys } from '../structured/composer-keys';
import { usePeople } from '../people/people';
import { useMembers } from './use-members';
import { mentionAt, replaceMention } from './mention-token';
import { useCaret, type CaretTracking } from './use-caret';
import '../styles/command-picker.css';

const MAX_OPTIONS = 6;

interface Option {
  handle: string;
  label: string;
}

interface PickerProps {
  conversationId: string;
  text: string;
  /** The composer's field, whose caret says which "@partial" is being typed. */
  input: RefObject<HTMLTextAreaElement | null>;
  /** The text with the pick in it; the caret is put after the pick once the field shows it. */
  onPick: (text: string) => void;
}

interface ListProps extends PickerProps {
  caret: CaretTracking;
}

/**
 * The mention picker, once there is something to pick for: the members (and each one's user) are
 * listed the first time "@" is typed in this conversation, not on every open, and then kept while
 * it stays open (the screen is keyed by conversation, so another one starts afresh).
 */
export function MentionPicker(props: PickerProps) {
  const caret = useCaret(props.input, props.text);
  const wanted = useRef(false);
  if (mentionAt(props.text, caret.at) !== null) wanted.current = true;
  return wanted.current ? <MentionList {...props} caret={caret} /> : null;
}

/**
 * While the caret is in an "@partial", a listbox of the conversation's members whose handle or name
 * starts with it (and `@all` for a group's owners and admins); arrows move, Enter or Tab puts
 * "@handle " in place of the partial, Escape hides it. Focus stays in the composer, as with commands.
 */
function MentionList({ conversationId, text, caret, onPick }: ListProps) {
  const { t } = useI18n();
  const { client } = useSignedIn();
  const people = usePeople();
  const id = useId();
  const members = useMembers(conversationId, '');
  const token = mentionAt(text, caret.at);
  const typed = token?.partial ?? null;
  const [chosen, setChosen] = useState(0);
  const [hiddenFor, setHiddenFor] = useState<string | null>(null);
  useEffect(() => setChosen(0), [typed, token?.start]);

  const conversation = client.conversation(conversationId)?.conversation;
  const needle = (typed ?? '').toLowerCase();
  const options: Option[] = [];
  // Only while typing a mention: each member's user is looked up then, not for a composer at rest.
  for (const m of typed === null ? [] : (members ?? [])) {
    if (m.userId === people.me.id) continue;
    const user = people.user(m.userId);
    if (!user) {
      people.name(m.userId); // asks for the user; the list fills in when it arrives
      continue;
    }
    const words = [user.handle, ...user.displayName.split(/\s+/)].map((w) => w.toLowerCase());
    if (words.some((w) => w.startsWith(needle))) options.push({ handle: user.handle, label: user.displayName });
  }
  const manager = conversation?.myRole === 'owner' || conversation?.myRole === 'admin';
  if (conversation?.kind === 'group' && manager && 'all'.startsWith(needle))
    options.push({ handle: 'all', label: t('chat.mention.all') });
  const matches = options.slice(0, MAX_OPTIONS);
  const active = Math.max(0, Math.min(chosen, matches.length - 1));
  const open = typed !== null && matches.length > 0 && hiddenFor !== text;
  const optionId = (i: number) => `${id}-option-${i}`;
  const pick = (option: Option) => {
    if (!token) return;
    const picked = replaceMention(text, token, option.handle);
    caret.place(picked.text, picked.caret);
    onPick(picked.text);
  };

  useComposerKeys(open ? text : null, {
    listboxId: `${id}-list`,
    activeId: optionId(active),
    onMove: (step) => setChosen((current) => (current + step + matches.length) % matches.length),
    onPick: () => {
      const option = matches[active];
      if (!option) return false;
      pick(option);
      return true;
    },
    onHide: () => setHiddenFor(text),
  });
  if (!open) return null;
  return (
    <div class="command-picker">
      <ul id={`${id}-list`} role="listbox" aria-label={t('chat.mention.label')}>
        {matches.map((option, i) => (
          <li
            key={option.handle}
            id={optionId(i)}
            role="option"
            aria-selected={i === active}
            class="command-option"
            onMouseDown={(event) => event.preventDefault()}
            onClick={() => pick(option)}
          >
            <span class="command-usage">@{option.handle}</span>
            <span class="command-description">{option.label}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
