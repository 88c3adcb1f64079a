/** The catalog comes from the operator's settings (manifest contributes.settings, with a default). */

export interface CatalogItem {
  /** What users type: /add mug. */
  id: string;
  name: string;
  /** Price in minor units (cents), an integer. */
  priceMinor: number;
  /** ISO 4217 code, e.g. "EUR". */
  currency: string;
}

export interface ShopSettings {
  catalog: CatalogItem[];
}

/**
 * What the settings schema cannot say: ids are unique. Throwing at start fails the app with
 * this message in its status, which is where the operator looks.
 */
export function checkCatalog(catalog: readonly CatalogItem[]): void {
  const seen = new Set<string>();
  for (const item of catalog) {
    if (seen.has(item.id))
      throw new Error(`settings.catalog lists the item id "${item.id}" twice; ids must be unique.`);
    seen.add(item.id);
  }
}

export function findItem(catalog: readonly CatalogItem[], id: string): CatalogItem | undefined {
  return catalog.find((item) => item.id === id.toLowerCase());
}

export function itemIds(catalog: readonly CatalogItem[]): string {
  return catalog.map((item) => item.id).join(', ');
}
