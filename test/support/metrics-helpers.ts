/** Reading a host's GET /metrics in tests: samples by name and labels. */
import { expect } from 'vitest';
import type { TestHost } from './start-test-host.js';

export const METRICS_TOKEN = 'metrics-token-0123456789-abcdef';

export interface Scrape {
  readonly text: string;
  /** `name{labels}` as written → value. */
  readonly samples: Map<string, number>;
}

export async function scrape(host: TestHost): Promise<Scrape> {
  const res = await fetch(`${host.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(res.status).toBe(200);
  const text = await res.text();
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return { text, samples };
}

function labelsOf(key: string): string {
  const brace = key.indexOf('{');
  return brace === -1
    ? ''
    : key
        .slice(brace + 1, -1)
        .split(',')
        .sort()
        .join(',');
}

function nameOf(key: string): string {
  const brace = key.indexOf('{');
  return brace === -1 ? key : key.slice(0, brace);
}

/** The value of `name` with exactly these labels (in any order), or undefined. */
export function sample(s: Scrape, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .sort()
    .join(',');
  for (const [key, value] of s.samples) if (nameOf(key) === name && labelsOf(key) === wanted) return value;
  return undefined;
}

/** How many series `name` has. */
export function seriesCount(s: Scrape, name: string): number {
  return [...s.samples.keys()].filter((key) => nameOf(key) === name).length;
}
