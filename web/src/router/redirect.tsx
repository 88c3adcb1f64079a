import { useEffect } from 'preact/hooks';
import { navigate } from './router';

/** Replaces the address (no history entry), e.g. a signed-out person on an app page goes to /login. */
export function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}
