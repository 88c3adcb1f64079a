import { useState } from 'preact/hooks';
import { useAction } from '../components/use-action';
import { LocalError } from '../i18n/local-error';
import { TextField } from '../components/text-field';
import { useI18n } from '../i18n/i18n-context';
import { AdminAlert } from './admin-alert';
import { useAdminApi } from './admin-context';
import type { AdminApi } from './admin-api';
import type { Business } from './admin-types';

/** The account with exactly this handle (ignoring case), found through the admin users list. */
async function ownerByHandle(api: AdminApi, handle: string): Promise<string> {
  const { users } = await api.users({ query: handle }, 5);
  const owner = users.find((u) => u.handle.toLowerCase() === handle.toLowerCase());
  if (!owner) throw new LocalError('admin.businesses.noOwner', { handle });
  return owner.id;
}

/** Registers a business and names its first admin by handle. */
export function BusinessCreateForm({ onCreated }: { onCreated: (business: Business) => void }) {
  const { t } = useI18n();
  const api = useAdminApi();
  const action = useAction();
  const [form, setForm] = useState({ name: '', about: '', owner: '' });
  const [missing, setMissing] = useState({ name: false, owner: false });
  const set = (field: keyof typeof form) => (value: string) => setForm({ ...form, [field]: value });

  const submit = (event: Event) => {
    event.preventDefault();
    const name = form.name.trim();
    const owner = form.owner.trim().replace(/^@/, '');
    const empty = { name: name === '', owner: owner === '' };
    setMissing(empty);
    if (empty.name || empty.owner) return;
    void action.run(async () => {
      const ownerId = await ownerByHandle(api, owner);
      const about = form.about.trim();
      const business = await api.createBusiness({ name, ownerId, ...(about ? { about } : {}) });
      setForm({ name: '', about: '', owner: '' });
      onCreated(business);
    });
  };

  return (
    <form class="stack admin-form" onSubmit={submit} noValidate aria-busy={action.busy}>
      <TextField
        label={t('admin.businesses.name')}
        value={form.name}
        onValue={set('name')}
        error={missing.name ? t('validation.required') : null}
        name="businessName"
        autoComplete="off"
        maxLength={100}
      />
      <TextField
        label={t('admin.businesses.about')}
        value={form.about}
        onValue={set('about')}
        name="businessAbout"
        autoComplete="off"
        maxLength={1000}
      />
      <TextField
        label={t('admin.businesses.owner')}
        help={t('admin.businesses.ownerHelp')}
        value={form.owner}
        onValue={set('owner')}
        error={missing.owner ? t('validation.required') : null}
        name="businessOwner"
        autoComplete="off"
        autoCapitalize="none"
        spellcheck={false}
        maxLength={33}
      />
      <AdminAlert error={action.error} />
      <button type="submit" class="primary" disabled={action.busy}>
        {t('admin.businesses.createSubmit')}
      </button>
    </form>
  );
}
