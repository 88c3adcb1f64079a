/** The values a canned response's placeholders stand for (docs/business.md, "Canned responses"). */
export interface CannedValues {
  'customer.name': string;
  'customer.handle': string;
  'agent.name': string;
  'business.name': string;
}

/** A canned response's text with its placeholders filled in, as the host fills them when it is sent by shortcode. */
export function fillCanned(text: string, values: CannedValues): string {
  return text.replace(/\{\{\s*([a-z.]+)\s*\}\}/g, (whole, name: string) =>
    name in values ? values[name as keyof CannedValues] : whole,
  );
}
