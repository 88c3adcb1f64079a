import { useEffect, useId, useState } from 'preact/hooks';
import type { CommandListing } from '../../../sdk/protocol/frames.js';
import { useI18n } from '../i18n/i18n-context';
import { actionErrorText } from '../i18n/action-error-text';
import { matchCommands, useCommands } from './command-listing';
import { useComposerKeys } from './composer-keys';
import '../styles/command-picker.css';

/** The list shows this many at most (no scrolling box under the composer); typing narrows it. */
const MAX_OPTIONS = 8;

interface CommandPickerProps {
  conversationId: string;
  /** The composer's text; the picker shows while it starts with "/". */
  text: string;
  /** Called with "/name " when a command is picked, for the composer to take as its text. */
  onPick: (text: string) => void;
}

/**
 * The slash commands of a conversation, under the composer while its text starts with "/". While
 * the name is typed it is a listbox of the matching commands (usage and description); arrow keys
 * move, Enter or Tab picks, Escape hides it, and focus stays in the composer, which points at the
 * active option (aria-activedescendant). Once a space follows a known name, it shows how to use it.
 */
export function CommandPicker({ conversationId, text, onPick }: CommandPickerProps) {
  const { t } = useI18n();
  const id = useId();
  const state = useCommands(conversationId);
  const typed = text.startsWith('/') ? text.slice(1) : null;
  const naming = typed !== null && !/\s/.test(typed);
  const commands = state.status === 'ready' ? state.commands : [];
  const found = naming ? matchCommands(commands, typed) : [];
  const matches = found.slice(0, MAX_OPTIONS);
  const [chosen, setActive] = useState(0);
  // Until the reset below runs, a shorter list keeps the choice within it.
  const active = Math.max(0, Math.min(chosen, matches.length - 1));
  const [hiddenFor, setHiddenFor] = useState<string | null>(null);
  useEffect(() => setActive(0), [typed]);
  const open = naming && matches.length > 0 && hiddenFor !== text;
  const optionId = (i: number) => `${id}-option-${i}`;
  const pick = (command: CommandListing) => onPick(`/${command.name} `);

  useComposerKeys(open ? text : null, {
    listboxId: `${id}-list`,
    activeId: optionId(active),
    onMove: (step) => setActive((current) => (current + step + matches.length) % matches.length),
    onPick: (key) => {
      const command = matches[active];
      if (!command) return false;
      // "/balance" typed whole, with nothing to add: Enter runs it rather than adding a space.
      if (key === 'Enter' && command.name === typed && !command.args.some((arg) => arg.required)) return false;
      pick(command);
      return true;
    },
    onHide: () => setHiddenFor(text),
  });

  if (typed === null) return null;
  if (!naming) return <CommandUsage commands={commands} typed={typed} />;
  if (state.status === 'failed')
    return (
      <p class="command-picker error-notice" role="alert">
        {actionErrorText(t, state.error)}
      </p>
    );
  return (
    <div class="command-picker">
      <p class="sr-only" role="status">
        {state.status === 'loading'
          ? t('structured.commands.loading')
          : t('structured.commands.count', { count: found.length })}
      </p>
      {state.status === 'ready' && matches.length === 0 ? (
        <p class="placeholder">
          {commands.length === 0 ? t('structured.commands.none') : t('structured.commands.noMatch', { text })}
        </p>
      ) : null}
      {open ? (
        <ul id={`${id}-list`} role="listbox" aria-label={t('structured.commands.label')}>
          {matches.map((command, i) => (
            <li
              key={`${command.plugin}/${command.name}`}
              id={optionId(i)}
              role="option"
              aria-selected={i === active}
              class="command-option"
              // Keep focus (and the caret) in the composer: the click picks, the composer keeps typing.
              onMouseDown={(event) => event.preventDefault()}
              onClick={() => pick(command)}
            >
              <span class="command-usage">{command.usage}</span>
              <span class="command-description">{command.description}</span>
            </li>
          ))}
        </ul>
      ) : null}
      {open && found.length > matches.length ? (
        <p class="placeholder">{t('structured.commands.more', { count: found.length - matches.length })}</p>
      ) : null}
    </div>
  );
}

/** After "/name ": the command's usage, and what each argument is. */
function CommandUsage({ commands, typed }: { commands: CommandListing[]; typed: string }) {
  const name = typed.split(/\s/, 1)[0]?.toLowerCase();
  const command = commands.find((c) => c.name.toLowerCase() === name);
  if (!command) return null;
  return (
    <div class="command-picker command-help">
      <p>
        <span class="command-usage">{command.usage}</span>{' '}
        <span class="command-description">{command.description}</span>
      </p>
      {command.args.some((arg) => arg.description) ? (
        <dl class="command-args">
          {command.args
            .filter((arg) => arg.description)
            .map((arg) => (
              <div key={arg.name}>
                <dt>{arg.name}</dt>
                <dd>{arg.description}</dd>
              </div>
            ))}
        </dl>
      ) : null}
    </div>
  );
}
