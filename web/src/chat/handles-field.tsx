import { TextField } from '../components/text-field';
import { useI18n } from '../i18n/i18n-context';

interface Props {
  label: string;
  help: string;
  value: string;
  onValue: (value: string) => void;
  name: string;
  /** The field is required and empty: it says so. */
  missing?: boolean;
}

/** A field for people's handles (one, or several separated by commas or spaces): typed as is, never corrected. */
export function HandlesField({ missing = false, ...props }: Props) {
  const { t } = useI18n();
  return (
    <TextField
      {...props}
      autoCapitalize="none"
      spellcheck={false}
      required={missing || undefined}
      maxLength={2000}
      error={missing ? t('validation.required') : null}
    />
  );
}
