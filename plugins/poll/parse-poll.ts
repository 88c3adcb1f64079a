/** What `/poll` and `/poll-close` accept, with the reasons they refuse, worded for the user. */

export const MIN_OPTIONS = 2;
/** A card holds at most 10 buttons: one per option. */
export const MAX_OPTIONS = 10;
export const MAX_QUESTION_LENGTH = 200;
/** Button labels are at most 80 characters. */
export const MAX_OPTION_LENGTH = 80;

export const POLL_USAGE = `Usage: /poll <question> | <option 1> | <option 2> [| …] (${MIN_OPTIONS} to ${MAX_OPTIONS} options), e.g. /poll Lunch? | Pizza | Sushi`;

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** Parses "question | option | option …"; spaces around each part are dropped. */
export function parsePoll(text: string): Parsed<{ question: string; options: string[] }> {
  const parts = text.split('|').map((part) => part.replace(/\s+/g, ' ').trim());
  const [question = '', ...options] = parts;
  if (question === '' && options.every((o) => o === '')) return { ok: false, error: POLL_USAGE };
  if (question === '')
    return { ok: false, error: `The question is missing: it comes before the first "|".\n${POLL_USAGE}` };
  if (question.length > MAX_QUESTION_LENGTH)
    return { ok: false, error: `The question is ${question.length} characters long; at most ${MAX_QUESTION_LENGTH}.` };
  const empty = options.findIndex((o) => o === '');
  if (empty >= 0)
    return { ok: false, error: `Option ${empty + 1} is empty: write something between each pair of "|".` };
  if (options.length < MIN_OPTIONS)
    return {
      ok: false,
      error: `A poll needs at least ${MIN_OPTIONS} options; you gave ${options.length}.\n${POLL_USAGE}`,
    };
  if (options.length > MAX_OPTIONS)
    return { ok: false, error: `A poll has at most ${MAX_OPTIONS} options; you gave ${options.length}.` };
  const long = options.find((o) => o.length > MAX_OPTION_LENGTH);
  if (long !== undefined)
    return {
      ok: false,
      error: `The option "${long.slice(0, 20)}…" is ${long.length} characters long; at most ${MAX_OPTION_LENGTH}.`,
    };
  const seen = new Set<string>();
  for (const option of options) {
    const folded = option.toLowerCase();
    if (seen.has(folded)) return { ok: false, error: `The option "${option}" is given twice.` };
    seen.add(folded);
  }
  return { ok: true, value: { question, options } };
}

/** "3" or "#3": the poll's number in this conversation. */
export function parsePollId(raw: unknown): Parsed<number> {
  const match = /^#?(\d{1,9})$/.exec(typeof raw === 'string' ? raw.trim() : '');
  const id = match ? Number(match[1]) : 0;
  if (id < 1)
    return { ok: false, error: 'Usage: /poll-close <poll number>, e.g. /poll-close 3 (the number is on the poll).' };
  return { ok: true, value: id };
}

/** Button ids are "<poll number>:<option index>", so a tap names its poll and option by itself. */
export function buttonId(pollId: number, option: number): string {
  return `${pollId}:${option}`;
}

export function parseButtonId(id: string): { pollId: number; option: number } | null {
  const match = /^(\d{1,9}):(\d{1,2})$/.exec(id);
  return match ? { pollId: Number(match[1]), option: Number(match[2]) } : null;
}
