import { useAction } from '../components/use-action';
import type { Loaded } from '../components/use-load';
import type { AgentApi, BusinessSettings } from './agent-api';

/** What every section of the settings screen gets: the settings are read once, by the screen, for all of them. */
export interface SettingsSectionProps {
  api: AgentApi;
  businessId: string;
  settings: Loaded<BusinessSettings>;
}

export interface SettingsAction {
  busy: boolean;
  error: unknown;
  /**
   * Runs one change (one at a time per section), then re-reads the settings, since other sections
   * show them too, and whatever else the change moves. A failure is kept in `error`.
   */
  change(work: () => Promise<void>, ...alsoReload: Pick<Loaded<unknown>, 'reload'>[]): void;
}

/** The action plumbing the settings sections share: busy and error state, and reloading after a change. */
export function useSettingsAction(settings: Pick<Loaded<BusinessSettings>, 'reload'>): SettingsAction {
  const action = useAction();
  return {
    busy: action.busy,
    error: action.error,
    change: (work, ...alsoReload) =>
      void action.run(async () => {
        await work();
        settings.reload();
        for (const loaded of alsoReload) loaded.reload();
      }),
  };
}
