import type { JSX } from 'preact';
import { useRef, useState } from 'preact/hooks';
import type { MessageKey } from '../i18n/en';
import { useI18n } from '../i18n/i18n-context';
import { BusinessesPanel } from './businesses-panel';
import { PluginsPanel } from './plugins-panel';
import { RecordsPanel } from './records-panel';
import { ReportsPanel } from './reports-panel';
import { UsersPanel } from './users-panel';

const TABS: { id: string; label: MessageKey; panel: () => JSX.Element }[] = [
  { id: 'users', label: 'admin.tab.users', panel: () => <UsersPanel /> },
  { id: 'plugins', label: 'admin.tab.plugins', panel: () => <PluginsPanel /> },
  { id: 'businesses', label: 'admin.tab.businesses', panel: () => <BusinessesPanel /> },
  { id: 'records', label: 'admin.tab.records', panel: () => <RecordsPanel /> },
  { id: 'reports', label: 'admin.tab.reports', panel: () => <ReportsPanel /> },
];

/**
 * The console's sections as tabs (the WAI-ARIA tabs pattern: arrow keys, Home and End move between
 * them). Only the open section is rendered, so each loads its data when it is opened.
 */
export function AdminTabs() {
  const { t } = useI18n();
  const [selected, setSelected] = useState(0);
  const buttons = useRef<(HTMLButtonElement | null)[]>([]);
  const open = (index: number) => {
    const next = (index + TABS.length) % TABS.length;
    setSelected(next);
    buttons.current[next]?.focus();
  };
  const onKeyDown = (event: KeyboardEvent) => {
    const moves: Record<string, number> = { ArrowRight: selected + 1, ArrowLeft: selected - 1, Home: 0, End: -1 };
    if (!(event.key in moves)) return;
    event.preventDefault();
    open(moves[event.key]!);
  };
  const tab = TABS[selected]!;
  return (
    <>
      <div class="admin-tabs" role="tablist" aria-label={t('admin.sections')} onKeyDown={onKeyDown}>
        {TABS.map((item, index) => (
          <button
            key={item.id}
            ref={(el) => {
              buttons.current[index] = el;
            }}
            type="button"
            role="tab"
            id={`admin-tab-${item.id}`}
            aria-selected={index === selected}
            aria-controls={index === selected ? `admin-panel-${item.id}` : undefined}
            tabIndex={index === selected ? 0 : -1}
            onClick={() => setSelected(index)}
          >
            {t(item.label)}
          </button>
        ))}
      </div>
      <div
        class="admin-panel"
        role="tabpanel"
        id={`admin-panel-${tab.id}`}
        aria-labelledby={`admin-tab-${tab.id}`}
        tabIndex={0}
      >
        {tab.panel()}
      </div>
    </>
  );
}
