import type { Knex } from 'knex';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { NotificationSettings, QuietHours } from '../../sdk/protocol/push.js';
import { canonicalTimeZone, inQuietHours } from './quiet-hours.js';

export type { NotificationSettings };

interface SettingsRow {
  user_id: string;
  quiet_start: string | null;
  quiet_end: string | null;
  time_zone: string | null;
  updated_at: number;
}

function quietOf(row: SettingsRow | undefined): QuietHours | null {
  if (!row || row.quiet_start === null || row.quiet_end === null || row.time_zone === null) return null;
  return { start: row.quiet_start, end: row.quiet_end, timeZone: row.time_zone };
}

export async function readSettings(knex: Knex, userId: string): Promise<NotificationSettings> {
  const row = (await knex('notification_settings').where({ user_id: userId }).first()) as SettingsRow | undefined;
  return { quietHours: quietOf(row) };
}

/**
 * Replaces the user's settings. The times' shape is the body schema's; the zone is checked here
 * with Intl (the zones the host's Node knows) and stored under its canonical name.
 */
export async function writeSettings(
  knex: Knex,
  userId: string,
  settings: NotificationSettings,
  now: number,
): Promise<NotificationSettings> {
  let quiet = settings.quietHours;
  if (quiet !== null) {
    if (quiet.start === quiet.end)
      throw new SwitchboardError('invalid_request', 'Quiet hours must end at another time than they start.', {
        details: [{ path: '/quietHours/end', message: 'equals start' }],
      });
    const timeZone = canonicalTimeZone(quiet.timeZone);
    if (timeZone === null)
      throw new SwitchboardError('invalid_request', `"${quiet.timeZone}" is not an IANA time zone this host knows.`, {
        details: [{ path: '/quietHours/timeZone', message: 'is not a known IANA time zone' }],
      });
    quiet = { start: quiet.start, end: quiet.end, timeZone };
  }
  const row: SettingsRow = {
    user_id: userId,
    quiet_start: quiet?.start ?? null,
    quiet_end: quiet?.end ?? null,
    time_zone: quiet?.timeZone ?? null,
    updated_at: now,
  };
  await knex('notification_settings').insert(row).onConflict('user_id').merge();
  return { quietHours: quiet };
}

/** Which of these users are in their quiet hours at `now` (one query per 500 users). */
export async function usersInQuietHours(knex: Knex, userIds: readonly string[], now: number): Promise<Set<string>> {
  const quiet = new Set<string>();
  for (let i = 0; i < userIds.length; i += 500) {
    const rows = (await knex('notification_settings')
      .whereIn('user_id', userIds.slice(i, i + 500))
      .whereNotNull('time_zone')) as SettingsRow[];
    for (const row of rows) {
      const hours = quietOf(row);
      // A zone this Node no longer knows (after an upgrade of its time zone data) counts as no quiet hours.
      if (hours && canonicalTimeZone(hours.timeZone) !== null && inQuietHours(hours, now)) quiet.add(row.user_id);
    }
  }
  return quiet;
}
