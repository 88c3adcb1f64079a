import type { TargetedInputEvent } from 'preact';
import { useId } from 'preact/hooks';

/** The input attributes the forms use (a plain subset: Preact's full set does not survive Omit<>). */
interface InputProps {
  name: string;
  type?: 'text' | 'password';
  autoComplete?: string;
  autoCapitalize?: 'none';
  spellcheck?: boolean;
  required?: boolean;
  maxLength?: number;
}

interface TextFieldProps extends InputProps {
  label: string;
  value: string;
  onValue: (value: string) => void;
  /** A hint under the field, read with it. */
  help?: string;
  /** What is wrong with the value, in words; marks the field invalid. */
  error?: string | null;
}

/** A labelled input whose hint and error are tied to it (aria-describedby), so they are read with it. */
export function TextField({ label, value, onValue, help, error, type, ...input }: TextFieldProps) {
  const id = useId();
  const helpId = `${id}-help`;
  const errorId = `${id}-error`;
  const describedBy = [help ? helpId : null, error ? errorId : null].filter(Boolean).join(' ');
  const attributes = {
    ...input,
    id,
    value,
    onInput: (event: TargetedInputEvent<HTMLInputElement>) => onValue(event.currentTarget.value),
    'aria-invalid': error ? true : undefined,
    'aria-describedby': describedBy || undefined,
  };
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {/* Two literal types: Preact types each kind of input apart. */}
      {type === 'password' ? <input type="password" {...attributes} /> : <input type="text" {...attributes} />}
      {help ? (
        <p class="field-help" id={helpId}>
          {help}
        </p>
      ) : null}
      {error ? (
        <p class="field-error" id={errorId}>
          {error}
        </p>
      ) : null}
    </div>
  );
}
