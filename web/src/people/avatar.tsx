import { useState } from 'preact/hooks';
import type { PublicUser } from '../../../sdk/protocol/message.js';
import { useSignedIn } from '../session/session-context';
import '../styles/avatar.css';

export type AvatarSize = 'tiny' | 'small' | 'medium' | 'large';

/** Pixels of each size (avatar.css draws them in rem: 16 px each), for the image's own width and height. */
const PIXELS: Record<AvatarSize, number> = { tiny: 20, small: 24, medium: 36, large: 96 };
const TONES = 6;

interface AvatarProps {
  /** The host's `avatarUrl` (`/v1/avatars/<hash>`), or none. */
  url: string | null | undefined;
  /** Whose it is, in words: its initials stand in without an image. */
  name: string;
  /** What picks the tone behind the initials (a user's or a group's id), the same on every screen. */
  seed: string;
  size?: AvatarSize;
  /** Said when the image is the point (the profile's preview); otherwise the name beside it says who. */
  label?: string;
}

/**
 * A small round picture of someone: their avatar (fetched lazily, 256 pixels at most, cached by the
 * browser for good as its address names its content), or the initials of their name. Hidden from
 * assistive technology unless `label` is given: the name is always written next to it.
 */
export function Avatar({ url, name, seed, size = 'small', label }: AvatarProps) {
  const { client } = useSignedIn();
  // An address the host no longer serves (changed a moment ago) falls back to the initials.
  const [broken, setBroken] = useState<string | null>(null);
  const shown = url && url !== broken ? url : null;
  const pixels = PIXELS[size];
  return (
    <span
      class={`avatar avatar-${size}`}
      data-tone={toneOf(seed)}
      {...(label ? { role: 'img', 'aria-label': label } : { 'aria-hidden': 'true' })}
    >
      {shown ? (
        <img
          src={client.http.absoluteUrl(shown)}
          alt=""
          width={pixels}
          height={pixels}
          loading="lazy"
          decoding="async"
          onError={() => setBroken(shown)}
        />
      ) : (
        initialsOf(name)
      )}
    </span>
  );
}

/** A user's avatar; `user` undefined while they are being fetched (initials of `name` meanwhile). */
export function UserAvatar({
  user,
  name,
  id,
  size,
}: {
  user: PublicUser | undefined;
  name: string;
  id: string;
  size?: AvatarSize;
}) {
  return <Avatar url={user?.avatarUrl} name={name} seed={id} {...(size ? { size } : {})} />;
}

/** The first letters of the first and last words ("Ada Lovelace": "AL"), whole characters, not halves of emoji. */
export function initialsOf(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const first = (word: string | undefined) => (word ? ([...word][0] ?? '') : '');
  const letters = words.length > 1 ? first(words[0]) + first(words.at(-1)) : first(words[0]);
  return letters.toLocaleUpperCase();
}

function toneOf(seed: string): number {
  let hash = 0;
  for (let i = 0; i < seed.length; i++) hash = (hash * 31 + seed.charCodeAt(i)) >>> 0;
  return hash % TONES;
}
