export interface Choice {
  value: string;
  label: string;
}

interface Props {
  label: string;
  value: string;
  choices: readonly Choice[];
  onChange: (value: string) => void;
  /** A first choice with the empty value ("Any", "Nobody"). */
  empty?: string;
  disabled?: boolean;
}

/** A labelled drop-down of the console (filters, triage, roles…). */
export function ChoiceField({ label, value, choices, onChange, empty, disabled = false }: Props) {
  return (
    <label class="agent-inline-field">
      {label}
      <select value={value} disabled={disabled} onChange={(e) => onChange(e.currentTarget.value)}>
        {empty === undefined ? null : <option value="">{empty}</option>}
        {choices.map((c) => (
          <option key={c.value} value={c.value}>
            {c.label}
          </option>
        ))}
      </select>
    </label>
  );
}
