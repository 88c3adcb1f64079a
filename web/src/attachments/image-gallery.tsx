import { createContext, type ComponentChildren } from 'preact';
import { useContext, useMemo, useRef, useState } from 'preact/hooks';
import type { Attachment } from '../../../sdk/protocol/message.js';
import { ImageViewer } from './image-viewer';

/** An image a message shows as a preview, to open in the viewer; other files are download links. */
export function opensInViewer(attachment: Attachment): boolean {
  return attachment.hasThumbnail;
}

interface Gallery {
  /** Opens the viewer on `attachment`, whose preview is `preview`. */
  open: (attachment: Attachment, preview: HTMLElement) => void;
  /** Where each image's preview is (null when it goes), to give it the focus back. */
  preview: (id: string, el: HTMLElement | null) => void;
}

const GalleryContext = createContext<Gallery | null>(null);

/** The gallery the previews are in, or null outside one. */
export function useImageGallery(): Gallery | null {
  return useContext(GalleryContext);
}

/**
 * The one image viewer of a list of messages (a conversation's log, a thread's panel): opened from
 * any of their previews, it steps through `images` (those the list shows, in its order), as the
 * messengers' viewers do, rather than making the person close it and open each in turn. Closed, it
 * gives the focus to the preview of the image it showed last (else the one it was opened from).
 */
export function ImageGallery({ images, children }: { images: readonly Attachment[]; children: ComponentChildren }) {
  const [viewing, setViewing] = useState<Attachment | null>(null);
  const opener = useRef<HTMLElement | null>(null);
  const previews = useRef(new Map<string, HTMLElement>());
  const gallery = useMemo<Gallery>(
    () => ({
      open: (attachment, preview) => {
        opener.current = preview;
        setViewing(attachment);
      },
      preview: (id, el) => {
        if (el) previews.current.set(id, el);
        else previews.current.delete(id);
      },
    }),
    [],
  );
  // By id: images loaded above or arriving below move its index, not which one is shown.
  const at = viewing ? images.findIndex((a) => a.id === viewing.id) : -1;
  return (
    <GalleryContext.Provider value={gallery}>
      {children}
      {viewing ? (
        <ImageViewer
          attachment={viewing}
          // One that went (its message deleted) stays shown, with nowhere to step to.
          position={at >= 0 && images.length > 1 ? { index: at, count: images.length } : null}
          onStep={(step) => {
            const to = images[at + step];
            if (at >= 0 && to) setViewing(to);
          }}
          onClose={() => {
            setViewing(null);
            (previews.current.get(viewing.id) ?? opener.current)?.focus();
          }}
        />
      ) : null}
    </GalleryContext.Provider>
  );
}
