/**
 * A control's words, with a shorter form a phone shows (layout.css picks one by the screen's width).
 * The control takes the full words as its aria-label, so its name stays the same on every screen.
 */
export function ShortLabel({ full, short }: { full: string; short: string }) {
  return (
    <>
      <span class="label-full">{full}</span>
      <span class="label-short" aria-hidden="true">
        {short}
      </span>
    </>
  );
}
