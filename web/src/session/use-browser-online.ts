import { useLayoutEffect, useState } from 'preact/hooks';

/**
 * Whether the browser believes it has a network (navigator.onLine), live. It knows at once when the
 * network goes, where the client library only learns it when its heartbeat goes unanswered.
 */
export function useBrowserOnline(): boolean {
  const [online, setOnline] = useState(() => navigator.onLine);
  useLayoutEffect(() => {
    const update = () => setOnline(navigator.onLine);
    update();
    window.addEventListener('online', update);
    window.addEventListener('offline', update);
    return () => {
      window.removeEventListener('online', update);
      window.removeEventListener('offline', update);
    };
  }, []);
  return online;
}
