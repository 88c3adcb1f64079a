import { useEffect, useRef, useState } from 'preact/hooks';
import { useAction } from '../components/use-action';
import { refocusIfLost } from '../components/use-focus-on-mount';

/**
 * A header button whose popover opens under it, over the conversation (Mute's choices, the
 * conversation's menu and its Block question), so the header keeps its one row. `run` does the popover's
 * work and closes it; the button it was opened from may then swap (Mute for Unmute, Block for
 * Unblock in the menu) or its item go, so the focus comes back to the button in this place once the work is
 * done. `close` (Escape, Cancel, the button again) puts the focus back on the button at once.
 */
export function useHeaderPopover() {
  const [open, setOpen] = useState(false);
  const toggle = useRef<HTMLButtonElement>(null);
  const action = useAction();
  const refocus = useRef(false);
  useEffect(() => {
    if (!refocus.current || action.busy) return;
    refocus.current = false;
    refocusIfLost(toggle.current);
  });
  const close = () => {
    action.clear();
    setOpen(false);
    toggle.current?.focus();
  };
  const run = (work: () => Promise<unknown>) =>
    void action.run(async () => {
      refocus.current = true;
      await work();
      setOpen(false);
    });
  return { open, setOpen, toggle, action, close, run };
}
