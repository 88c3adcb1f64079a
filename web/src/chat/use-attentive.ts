import { useEffect, useState } from 'preact/hooks';

/** Whether the person can be reading the page now: it is shown, and its window has the focus. */
function looking(): boolean {
  return document.visibilityState === 'visible' && document.hasFocus();
}

/** Whether the page is in use now, updated as the window gains or loses the focus or is hidden. */
export function useAttentive(): boolean {
  const [attentive, setAttentive] = useState(looking);
  useEffect(() => {
    const update = () => setAttentive(looking());
    window.addEventListener('focus', update);
    window.addEventListener('blur', update);
    document.addEventListener('visibilitychange', update);
    return () => {
      window.removeEventListener('focus', update);
      window.removeEventListener('blur', update);
      document.removeEventListener('visibilitychange', update);
    };
  }, []);
  return attentive;
}
