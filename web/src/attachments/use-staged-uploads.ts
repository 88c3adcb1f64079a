import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { AttachmentView } from '../../../sdk/protocol/attachments.js';
import { useSignedIn } from '../session/session-context';
import { uploadWithProgress, type Upload } from './upload-with-progress';

/** At most this many files go with one message (the host's default `attachments.maxPerMessage`). */
export const MAX_FILES = 10;

export interface StagedFile {
  key: string;
  name: string;
  /** 0 to 1 while uploading. */
  progress: number;
  /** Uploaded: what the host made of it. */
  view: AttachmentView | null;
  error: unknown;
}

export interface StagedUploads {
  files: StagedFile[];
  /** Files beyond MAX_FILES are left out (the caller says so). */
  add: (files: readonly File[]) => number;
  remove: (key: string) => void;
  /** Every file uploaded (none failed, none under way). */
  ready: boolean;
  ids: string[];
  clear: () => void;
}

/** Files chosen, dropped or pasted for the next message: each uploads at once, with its progress; removing one cancels it. */
export function useStagedUploads(): StagedUploads {
  const { client } = useSignedIn();
  const [files, setFiles] = useState<StagedFile[]>([]);
  const uploads = useRef(new Map<string, Upload>());
  const count = useRef(0);
  const update = (key: string, patch: Partial<StagedFile>) =>
    setFiles((list) => list.map((f) => (f.key === key ? { ...f, ...patch } : f)));

  const add = useCallback(
    (picked: readonly File[]) => {
      const room = Math.max(0, MAX_FILES - uploads.current.size);
      const taken = picked.slice(0, room);
      for (const file of taken) {
        const key = `upload-${++count.current}`;
        const upload = uploadWithProgress(client.http, file, (progress) => update(key, { progress }));
        uploads.current.set(key, upload);
        setFiles((list) => [...list, { key, name: file.name || 'pasted', progress: 0, view: null, error: null }]);
        upload.done.then(
          (view) => update(key, { view, progress: 1 }),
          (error: unknown) => update(key, { error }),
        );
      }
      return picked.length - taken.length;
    },
    [client],
  );
  const remove = useCallback((key: string) => {
    uploads.current.get(key)?.abort();
    uploads.current.delete(key);
    setFiles((list) => list.filter((f) => f.key !== key));
  }, []);
  const clear = useCallback(() => {
    uploads.current.clear();
    setFiles([]);
  }, []);
  // Leaving the conversation cancels what is still uploading (what finished is swept by the host later).
  useEffect(() => () => uploads.current.forEach((u) => u.abort()), []);
  return {
    files,
    add,
    remove,
    ready: files.every((f) => f.view !== null),
    ids: files.flatMap((f) => (f.view ? [f.view.id] : [])),
    clear,
  };
}
