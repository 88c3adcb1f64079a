import { BusinessError } from '../business-error.js';
import { isObject } from '../http-handling.js';

/**
 * What a business's admins configure: business hours with the away message, the persistent menu,
 * and how new conversations are routed. Stored as one JSON column, checked here on every write.
 */
export interface BusinessConfig {
  hours: BusinessHours | null;
  awayMessage: string | null;
  menu: MenuItem[];
  routing: { mode: 'manual' | 'round_robin'; team: string | null };
}

/** Opening hours in the business's time zone; a day not listed is closed. */
export interface BusinessHours {
  timezone: string;
  weekly: Partial<Record<Weekday, [string, string][]>>;
}
export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
export type MenuItem = { id: string; label: string } | { label: string; url: string };

export const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
/** Always the menu's last item, and always a postback: a customer can always ask for a person. */
export const HUMAN_MENU_ITEM = { id: 'handover:human', label: 'Talk to a person' } as const;
const MAX_MENU_ITEMS = 10;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;
const ID = /^[A-Za-z0-9_:.-]{1,64}$/;

export const DEFAULT_CONFIG: BusinessConfig = {
  hours: null,
  awayMessage: null,
  menu: [],
  routing: { mode: 'manual', team: null },
};

const bad = (message: string) => new BusinessError('invalid_business_request', message);
/** The stored config with a patch applied, each given field checked; absent fields are kept. */
export function patchConfig(current: BusinessConfig, patch: Record<string, unknown>): BusinessConfig {
  const next = { ...current };
  if ('hours' in patch) next.hours = patch.hours === null ? null : checkHours(patch.hours);
  if ('awayMessage' in patch) {
    const m = patch.awayMessage;
    if (m !== null && (typeof m !== 'string' || m.trim().length === 0 || m.length > 1000))
      throw bad('awayMessage is 1 to 1000 characters, or null.');
    next.awayMessage = m;
  }
  if ('menu' in patch) next.menu = checkMenu(patch.menu);
  if ('routing' in patch) next.routing = checkRouting(patch.routing);
  return next;
}

function checkHours(value: unknown): BusinessHours {
  if (!isObject(value) || typeof value.timezone !== 'string' || !isObject(value.weekly))
    throw bad('hours is { timezone, weekly: { mon: [["09:00", "17:00"]], … } }.');
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value.timezone });
  } catch {
    throw bad(`hours.timezone "${value.timezone.slice(0, 64)}" is not an IANA time zone.`);
  }
  const weekly: BusinessHours['weekly'] = {};
  for (const [day, ranges] of Object.entries(value.weekly)) {
    if (!WEEKDAYS.includes(day as Weekday))
      throw bad(`hours.weekly.${day.slice(0, 16)}: days are ${WEEKDAYS.join(', ')}.`);
    if (!Array.isArray(ranges) || ranges.length > 4)
      throw bad(`hours.weekly.${day} is a list of at most 4 ["HH:MM", "HH:MM"] ranges.`);
    weekly[day as Weekday] = ranges.map((r: unknown, i) => {
      if (
        !Array.isArray(r) ||
        r.length !== 2 ||
        !r.every((t) => typeof t === 'string' && TIME.test(t)) ||
        r[0] >= r[1]
      ) {
        throw bad(`hours.weekly.${day}[${i}] is ["HH:MM", "HH:MM"], opening before closing.`);
      }
      return [r[0], r[1]] as [string, string];
    });
  }
  return { timezone: value.timezone, weekly };
}

function checkMenu(value: unknown): MenuItem[] {
  if (!Array.isArray(value) || value.length > MAX_MENU_ITEMS)
    throw bad(`menu is a list of at most ${MAX_MENU_ITEMS} items.`);
  return value.map((item: unknown, i) => {
    if (!isObject(item) || typeof item.label !== 'string' || item.label.length === 0 || item.label.length > 30)
      throw bad(`menu[${i}].label is 1 to 30 characters.`);
    if (typeof item.url === 'string') {
      if (!/^https?:\/\/\S{1,2000}$/.test(item.url)) throw bad(`menu[${i}].url is an http(s) URL.`);
      return { label: item.label, url: item.url };
    }
    if (
      typeof item.id !== 'string' ||
      !ID.test(item.id) ||
      item.id.startsWith('handover:') ||
      item.id.startsWith('csat:') ||
      item.id.startsWith('optin:')
    ) {
      throw bad(
        `menu[${i}] has an id (1-64 of A-Z a-z 0-9 _ : . -, not starting with handover:, csat: or optin:) or a url.`,
      );
    }
    return { id: item.id, label: item.label };
  });
}

function checkRouting(value: unknown): BusinessConfig['routing'] {
  if (!isObject(value) || (value.mode !== 'manual' && value.mode !== 'round_robin'))
    throw bad('routing is { mode: "manual" | "round_robin", team? }.');
  const team = value.team ?? null;
  if (team !== null && (typeof team !== 'string' || team.length === 0 || team.length > 64))
    throw bad('routing.team is a team name or null (every agent).');
  return { mode: value.mode, team };
}

/** The menu customers see: the business's items, then the way to a person. */
export const customerMenu = (config: BusinessConfig): MenuItem[] => [...config.menu, HUMAN_MENU_ITEM];

const formatters = new Map<string, Intl.DateTimeFormat>();
function partsIn(timezone: string, at: number): Record<string, string> {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timezone, f);
  }
  return Object.fromEntries(f.formatToParts(at).map((p) => [p.type, p.value]));
}

/** Whether the business is open at `at` (always, when it set no hours). */
export function isOpen(hours: BusinessHours | null, at: number): boolean {
  if (!hours) return true;
  const p = partsIn(hours.timezone, at);
  const day = p.weekday!.toLowerCase().slice(0, 3) as Weekday;
  const time = `${p.hour}:${p.minute}`;
  return (hours.weekly[day] ?? []).some(([from, to]) => time >= from && time < to);
}

/** The calendar day at `at` in the business's time zone (UTC without hours): away replies are once per day. */
export function localDay(hours: BusinessHours | null, at: number): string {
  if (!hours) return new Date(at).toISOString().slice(0, 10);
  const p = partsIn(hours.timezone, at);
  return `${p.year}-${p.month}-${p.day}`;
}
