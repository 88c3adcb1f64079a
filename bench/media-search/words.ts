/**
 * Text for the search phase of `npm run bench -- media-search`: chat messages of a Zipf-like mix
 * of words, and the queries people type against them. Seeded (mulberry32), so every run stores
 * and asks the same things.
 *
 * The vocabulary is VOCABULARY words by rank: the common words of English chat first, then
 * made-up words (syllables joined) for the long tail a real corpus has (names, places, jargon,
 * typos), a few with diacritics. A message draws its words with probability ∝ 1 / rank.
 */
import { mulberry32 } from '../../test/support/seeded-random.js';

/** The first ranks: the words that dominate chat. */
const COMMON = `the i you to a and it is that of in for on me my we this be have do not are so
with just at can what was but get like if all your will know no about up out yes okay ok one
there now how they time when go think good see make going well then come back really need want
today tomorrow would could want meeting call later lunch dinner home work thanks please sure
right here send sent file photo picture doc report team project deadline friday monday weekend
morning night week next last new update check review price order invoice payment account
password login issue bug fix release deploy build test server client office car train flight
hotel ticket booking meet coffee tea beer party birthday happy great nice cool love haha lol
sorry problem question answer idea plan budget contract customer support manager boss meeting
agenda notes slides draft final version link email phone number address street city airport`
  .split(/\s+/)
  .filter((w, i, all) => w && all.indexOf(w) === i);

const SYLLABLES = `ka lo mi ra te su vin dor pel qua zen tri mon sal bru fen gal hos jun lek
mar nor pix rad sto tuv wel xan yor zul bar cen dal eri fro gim hal ist jor kel lum`.split(/\s+/);
const ACCENTED = ['café', 'naïve', 'résumé', 'jalapeño', 'über', 'façade', 'crème', 'señor'];

export const VOCABULARY = 30_000;

export interface WordMix {
  /** The word of a rank (0 = most frequent). */
  readonly words: readonly string[];
  /** A word drawn with probability ∝ 1 / (rank + 1). */
  draw(): string;
  /** A chat message: 2 to 24 words, mostly short. */
  message(): string;
}

export function wordMix(seed: number): WordMix {
  const rnd = mulberry32(seed);
  const words = [...COMMON];
  const seen = new Set(words);
  const add = (w: string) => {
    if (seen.has(w)) return;
    words.push(w);
    seen.add(w);
  };
  ACCENTED.forEach(add);
  const made = mulberry32(seed ^ 0x5eed);
  while (words.length < VOCABULARY) {
    const n = 2 + Math.floor(made() * 3);
    let w = '';
    for (let i = 0; i < n; i++) w += SYLLABLES[Math.floor(made() * SYLLABLES.length)]!;
    add(w);
  }
  // Cumulative weights for drawing by binary search.
  const cumulative = new Float64Array(words.length);
  let sum = 0;
  for (let r = 0; r < words.length; r++) cumulative[r] = sum += 1 / (r + 1);
  const draw = () => {
    const x = rnd() * sum;
    let lo = 0;
    let hi = words.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return words[lo]!;
  };
  const message = () => {
    const n = 2 + Math.floor(rnd() ** 2 * 23);
    const parts: string[] = [];
    for (let i = 0; i < n; i++) parts.push(draw());
    const text = parts.join(' ');
    return `${text[0]!.toUpperCase()}${text.slice(1)}${rnd() < 0.3 ? '?' : rnd() < 0.5 ? '.' : ''}`;
  };
  return { words, draw, message };
}

export interface BenchQuery {
  readonly q: string;
  readonly kind: 'common' | 'mid' | 'rare' | 'two-words' | 'prefix';
}

/**
 * What people search for: a common word (ranks 20–200), a less common one (200–3,000), a rare one
 * (3,000 and beyond), two words, or the first 3–5 letters of a word as they type. A query that
 * ends with a space asks for the whole word (the host takes a last word without one as a prefix).
 */
export function queryMix(mix: WordMix, seed: number, count: number): BenchQuery[] {
  const rnd = mulberry32(seed);
  const rank = (from: number, to: number) => mix.words[from + Math.floor(rnd() * (to - from))]!;
  const out: BenchQuery[] = [];
  for (let i = 0; i < count; i++) {
    const x = rnd();
    if (x < 0.3) out.push({ q: `${rank(20, 200)} `, kind: 'common' });
    else if (x < 0.55) out.push({ q: `${rank(200, 3_000)} `, kind: 'mid' });
    else if (x < 0.7) out.push({ q: `${rank(3_000, mix.words.length)} `, kind: 'rare' });
    else if (x < 0.85) out.push({ q: `${rank(20, 200)} ${rank(200, 3_000)} `, kind: 'two-words' });
    else {
      const w = rank(20, 3_000);
      out.push({ q: w.slice(0, Math.min(w.length, 3 + Math.floor(rnd() * 3))), kind: 'prefix' });
    }
  }
  return out;
}
