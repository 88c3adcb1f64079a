import { useEffect, useState } from 'preact/hooks';

/** The width below which layout.css lays the app out for a phone (one column, ShortLabel's words). */
const PHONE = '(max-width: 47.99rem)';

/**
 * Whether the screen is a phone's, kept current as it turns or the window is resized: for what CSS
 * cannot choose, such as a shorter placeholder.
 */
export function usePhoneScreen(): boolean {
  const [phone, setPhone] = useState(() => matchMedia(PHONE).matches);
  useEffect(() => {
    const query = matchMedia(PHONE);
    const update = () => setPhone(query.matches);
    update();
    query.addEventListener('change', update);
    return () => query.removeEventListener('change', update);
  }, []);
  return phone;
}
