import { useEffect, useState } from 'preact/hooks';
import type { TargetedDragEvent } from 'preact';

/** Whether a drag carries files (not text or a link dragged within the page). */
function carriesFiles(event: DragEvent): boolean {
  return event.dataTransfer?.types.includes('Files') ?? false;
}

export interface FileDrop {
  /** Files are being dragged over where they would be taken: the screen shows it. */
  over: boolean;
  onDragEnter: (event: TargetedDragEvent<HTMLElement>) => void;
  onDragOver: (event: TargetedDragEvent<HTMLElement>) => void;
  onDragLeave: (event: TargetedDragEvent<HTMLElement>) => void;
  onDrop: (event: TargetedDragEvent<HTMLElement>) => void;
}

/**
 * Files dropped anywhere on a screen (its handlers), given to `take`; except over what `refused`
 * says takes none (a thread's panel, whose composer has no files). While the screen is open, a file
 * dropped anywhere else in the page is refused too: the browser would open it, leaving the app.
 */
export function useFileDrop(take: (files: File[]) => void, refused: (target: EventTarget | null) => boolean): FileDrop {
  const [over, setOver] = useState(false);
  useEffect(() => {
    // Below the screen's own handlers (they run first, and prevent the default when they take the files).
    const refuse = (event: DragEvent) => {
      if (event.defaultPrevented || !carriesFiles(event)) return;
      event.preventDefault();
      if (event.dataTransfer) event.dataTransfer.dropEffect = 'none';
    };
    const ended = () => setOver(false);
    window.addEventListener('dragover', refuse);
    window.addEventListener('drop', refuse);
    window.addEventListener('drop', ended);
    window.addEventListener('dragend', ended);
    return () => {
      window.removeEventListener('dragover', refuse);
      window.removeEventListener('drop', refuse);
      window.removeEventListener('drop', ended);
      window.removeEventListener('dragend', ended);
    };
  }, []);
  const onDragOver = (event: TargetedDragEvent<HTMLElement>) => {
    if (!carriesFiles(event)) return;
    const taken = !refused(event.target);
    setOver(taken);
    if (!taken) return;
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
  };
  return {
    over,
    // Both cancelled: the browser then lets the drag land here.
    onDragEnter: onDragOver,
    onDragOver,
    onDragLeave: (event) => {
      // Leaving a child for another child is a leave too: only leaving the screen ends the drag over it.
      const to = event.relatedTarget;
      if (!(to instanceof Node) || !event.currentTarget.contains(to)) setOver(false);
    },
    onDrop: (event) => {
      setOver(false);
      if (!carriesFiles(event) || refused(event.target)) return;
      event.preventDefault();
      const files = [...(event.dataTransfer?.files ?? [])];
      if (files.length > 0) take(files);
    },
  };
}
