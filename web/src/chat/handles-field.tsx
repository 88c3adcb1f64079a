import { useState } from 'preact/hooks';
import { ACCOUNT_RULES } from '../../../sdk/protocol/message.js';
import { TextField } from '../components/text-field';
import type { MessageKey } from '../i18n/en';
import { useI18n } from '../i18n/i18n-context';
import type { MessageParams } from '../i18n/translate';
import { isHandle } from '../screens/registration-rules';
import { parseHandles } from './find-users';

/** The handles one entry takes: each is looked up on its own, all at once. */
export const MAX_HANDLES = 50;

const HANDLE_MAX = ACCOUNT_RULES.handle.maxLength;

interface Problem {
  key: MessageKey;
  params?: MessageParams;
}

export interface Handles {
  value: string;
  setValue: (value: string) => void;
  /** What is wrong with the value as last checked, put in words by the field. */
  problem: Problem | null;
  /** One handle, or several (commas or spaces between them). */
  multiple: boolean;
  required: boolean;
  /** The handles typed, or null when they cannot be (the field then says why). */
  check: () => string[] | null;
}

const LENGTHS = { min: ACCOUNT_RULES.handle.minLength, max: HANDLE_MAX };

/** A whole paragraph pasted in is named by its start. */
const shortened = (text: string) =>
  [...text].length > HANDLE_MAX ? `${[...text].slice(0, HANDLE_MAX).join('')}…` : text;

function problemOf(handles: string[], required: boolean): Problem | null {
  if (handles.length === 0) return required ? { key: 'validation.required' } : null;
  if (handles.length > MAX_HANDLES) return { key: 'chat.start.tooManyHandles', params: { max: MAX_HANDLES } };
  const bad = handles.find((handle) => !isHandle(handle));
  if (bad === undefined) return null;
  return { key: 'chat.start.notAHandle', params: { handle: shortened(bad), ...LENGTHS } };
}

/** A handles field's text, checked against the host's handle rule (sdk/protocol) before any lookup. */
export function useHandles({ multiple, required }: { multiple: boolean; required: boolean }): Handles {
  const [value, setValue] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const check = () => {
    const handles = parseHandles(value);
    // One handle asked for, a name typed ("Bob Builder"): said so, never cut down to its first word.
    const found =
      !multiple && handles.length > 1
        ? { key: 'chat.start.oneHandle' as const, params: { text: shortened(value.trim()), ...LENGTHS } }
        : problemOf(handles, required);
    setProblem(found);
    return found ? null : handles;
  };
  return { value, setValue, problem, multiple, required, check };
}

interface Props {
  label: string;
  help: string;
  name: string;
  handles: Handles;
}

/** A field for people's handles (one, or several separated by commas or spaces): typed as is, never corrected. */
export function HandlesField({ handles, ...props }: Props) {
  const { t } = useI18n();
  return (
    <TextField
      {...props}
      value={handles.value}
      onValue={handles.setValue}
      autoCapitalize="none"
      spellcheck={false}
      required={handles.required || undefined}
      // Room for a leading @ on each, and a separator between them.
      maxLength={handles.multiple ? MAX_HANDLES * (HANDLE_MAX + 2) : HANDLE_MAX + 1}
      error={handles.problem ? t(handles.problem.key, handles.problem.params) : null}
    />
  );
}
