/**
 * "Seen" under my last message. In a group the count ("Seen by 2") opens to say who: a disclosure
 * any pointer, keyboard or screen reader can open, its names also in its tooltip.
 */
export function SeenNote({ text, names }: { text: string; names: string | null }) {
  if (names === null) return <p class="message-seen">{text}</p>;
  return (
    <details class="message-seen">
      <summary title={names}>{text}</summary>
      <p class="message-seen-names">{names}</p>
    </details>
  );
}
