import { findItem, type CatalogItem } from './catalog.js';
import { formatMoney } from './money.js';

export interface CartLine {
  itemId: string;
  qty: number;
}

/** What the cart remembers of the last checkout, to answer a repeated /checkout. */
export interface LastOrder {
  requestId: string;
  status: string;
  amountMinor: number;
  currency: string;
  /** Tells whether this order's lines were already taken out of the cart. */
  idempotencyKey: string;
}

/**
 * One user's cart in one conversation, under `cart/<conversationId>/<userId>`. Carts are never
 * deleted, only emptied, so their storage version only grows: a checkout's idempotency key is
 * made of `id` and that version, and a later cart can never reuse it.
 */
export interface Cart {
  /** Random, made when the cart is first written (it tells apart carts after a purge of the app's storage). */
  id: string;
  lines: CartLine[];
  lastOrder: LastOrder | null;
}

export const MAX_QTY = 99;

export const cartKey = (conversationId: string, userId: string) => `cart/${conversationId}/${userId}`;

export function newCart(): Cart {
  // No crypto in the sandbox; uniqueness among one user's carts in one conversation is all it needs.
  const random = () => Math.random().toString(36).slice(2, 10).padEnd(8, '0');
  return { id: `${random()}${random()}`, lines: [], lastOrder: null };
}

export type CartChange = { ok: true; cart: Cart } | { ok: false; error: string };

/** "2" → 2; nothing → 1; anything but a whole number from 1 to 99 is refused. */
export function parseQty(raw: string | number | undefined): number | null {
  if (raw === undefined) return 1;
  const text = String(raw);
  if (!/^\d{1,2}$/.test(text)) return null;
  const qty = Number(text);
  return qty >= 1 && qty <= MAX_QTY ? qty : null;
}

export function addItem(cart: Cart, item: CatalogItem, qty: number, catalog: readonly CatalogItem[]): CartChange {
  // One currency per cart: a payment request has one amount in one currency.
  const other = cart.lines.map((line) => findItem(catalog, line.itemId)).find((i) => i && i.currency !== item.currency);
  if (other)
    return {
      ok: false,
      error: `Your cart is in ${other.currency} and ${item.name} is priced in ${item.currency}: check out or empty your cart first.`,
    };
  const line = cart.lines.find((l) => l.itemId === item.id);
  const total = (line?.qty ?? 0) + qty;
  if (total > MAX_QTY)
    return { ok: false, error: `At most ${MAX_QTY} of one item per cart; you would have ${total} × ${item.name}.` };
  const lines = line
    ? cart.lines.map((l) => (l === line ? { itemId: l.itemId, qty: total } : l))
    : [...cart.lines, { itemId: item.id, qty }];
  return { ok: true, cart: { ...cart, lines } };
}

export function removeItem(cart: Cart, itemId: string): CartChange {
  const id = itemId.toLowerCase();
  if (!cart.lines.some((l) => l.itemId === id))
    return { ok: false, error: `"${itemId}" is not in your cart. See /cart.` };
  return { ok: true, cart: { ...cart, lines: cart.lines.filter((l) => l.itemId !== id) } };
}

/** Takes what was ordered out of the cart; lines added while the checkout ran stay. */
export function withoutOrdered(cart: Cart, ordered: readonly CartLine[], lastOrder: LastOrder): Cart {
  const lines = cart.lines
    .map((l) => ({ itemId: l.itemId, qty: l.qty - (ordered.find((o) => o.itemId === l.itemId)?.qty ?? 0) }))
    .filter((l) => l.qty > 0);
  return { ...cart, lines, lastOrder };
}

export interface PricedLine {
  itemId: string;
  name: string;
  qty: number;
  unitMinor: number;
  lineMinor: number;
}

export interface PricedCart {
  lines: PricedLine[];
  /** Integer minor units. */
  totalMinor: number;
  /** null for an empty cart. */
  currency: string | null;
  /** Lines whose item the operator has since taken out of the catalog. */
  unavailable: string[];
}

/** Prices come from the current catalog, never from the cart, so the settings decide what is charged. */
export function priceCart(cart: Cart, catalog: readonly CatalogItem[]): PricedCart {
  const priced: PricedCart = { lines: [], totalMinor: 0, currency: null, unavailable: [] };
  for (const line of cart.lines) {
    const item = findItem(catalog, line.itemId);
    if (!item) {
      priced.unavailable.push(line.itemId);
      continue;
    }
    const lineMinor = item.priceMinor * line.qty;
    priced.lines.push({ itemId: item.id, name: item.name, qty: line.qty, unitMinor: item.priceMinor, lineMinor });
    priced.totalMinor += lineMinor;
    priced.currency = item.currency;
  }
  return priced;
}

export function cartText(priced: PricedCart): string {
  if (priced.lines.length === 0 && priced.unavailable.length === 0)
    return 'Your cart is empty. See /catalog, then /add <item> [qty].';
  const currency = priced.currency ?? '';
  const lines = priced.lines.map(
    (l) =>
      `${l.qty} × ${l.name} (${l.itemId}) at ${formatMoney(l.unitMinor, currency)} = ${formatMoney(l.lineMinor, currency)}`,
  );
  for (const id of priced.unavailable) lines.push(`${id}: no longer sold; /remove ${id}`);
  const total = priced.currency
    ? `Total: ${formatMoney(priced.totalMinor, priced.currency)}`
    : 'Total: nothing for sale';
  return `Your cart:\n${lines.join('\n')}\n${total}`;
}
