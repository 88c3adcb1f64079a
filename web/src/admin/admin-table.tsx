import type { ComponentChildren } from 'preact';
import { useI18n } from '../i18n/i18n-context';
import { AdminAlert } from './admin-alert';
import type { Loaded } from './use-admin-load';
// .sr-only (text for screen readers only) is the app's, in the structured messages' sheet.
import '../styles/structured.css';

/** A section's heading, with its Refresh button when it has one. */
export function SectionHeading({
  id,
  title,
  level = 2,
  refresh,
}: {
  id: string;
  title: string;
  level?: 2 | 3;
  refresh?: { label: string; onClick: () => void };
}) {
  const Heading = level === 2 ? 'h2' : 'h3';
  return (
    <div class="admin-card-heading">
      <Heading id={id}>{title}</Heading>
      {refresh ? (
        <button type="button" onClick={refresh.onClick}>
          {refresh.label}
        </button>
      ) : null}
    </div>
  );
}

/** What a list's load says besides the list: its failure (or the last action's), loading, or that it is empty. */
export function LoadNotes<T>({ state, none, error }: { state: Loaded<T[]>; none: string; error?: unknown }) {
  const { t } = useI18n();
  return (
    <>
      <AdminAlert error={error ?? (state.status === 'failed' ? state.error : null)} />
      {state.data === null && state.status === 'loading' ? <p role="status">{t('app.loading')}</p> : null}
      {state.data?.length === 0 ? <p class="placeholder">{none}</p> : null}
    </>
  );
}

/**
 * A table of the console: it scrolls sideways on its own on a narrow screen; the last column,
 * when `actions`, holds each row's buttons under a heading only screen readers hear.
 */
export function AdminTable({
  caption,
  hideCaption = false,
  columns,
  actions = false,
  children,
}: {
  caption: string;
  hideCaption?: boolean;
  columns: string[];
  actions?: boolean;
  children: ComponentChildren;
}) {
  const { t } = useI18n();
  return (
    <div class="admin-table-scroll">
      <table class="admin-table">
        <caption class={hideCaption ? 'sr-only' : undefined}>{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column} scope="col">
                {column}
              </th>
            ))}
            {actions ? (
              <th scope="col">
                <span class="sr-only">{t('admin.actions')}</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
