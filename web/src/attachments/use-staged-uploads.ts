import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { AttachmentView } from '../../../sdk/protocol/attachments.js';
import { fieldsOf } from '../i18n/error-text';
import { LocalError } from '../i18n/local-error';
import { useSignedIn } from '../session/session-context';
import { uploadWithProgress, type Upload } from './upload-with-progress';

/** At most this many files go with one message (the host's default `attachments.maxPerMessage`). */
export const MAX_FILES = 10;

export interface StagedFile {
  key: string;
  /** Null for an upload put back until the host says what it is (and when it no longer has it). */
  name: string | null;
  /** 0 to 1 while uploading. */
  progress: number;
  /** Uploaded: what the host made of it. */
  view: AttachmentView | null;
  error: unknown;
}

export interface StagedUploads {
  files: StagedFile[];
  /** Files beyond MAX_FILES are left out (tooMany says so). */
  add: (files: readonly File[]) => void;
  /** Uploads already on the host (a refused send's, put back to be sent again), by id. */
  addUploaded: (ids: readonly string[]) => void;
  remove: (key: string) => void;
  /** Every file uploaded (none failed, none under way). */
  ready: boolean;
  /** Some file still uploading, or being fetched back: a failed one is not waited for, but removed. */
  busy: boolean;
  ids: string[];
  /** The last files added did not all fit in MAX_FILES. */
  tooMany: boolean;
  clear: () => void;
}

/**
 * Files chosen, dropped or pasted for the next message: each uploads at once, with its progress;
 * removing one cancels it. Held by the screen, beside the composer's text, so that a refused send's
 * files can come back with it.
 */
export function useStagedUploads(): StagedUploads {
  const { client } = useSignedIn();
  const [files, setFiles] = useState<StagedFile[]>([]);
  const [tooMany, setTooMany] = useState(false);
  // Every staged file by key; its upload while it is one of this page's (null for one put back).
  const entries = useRef(new Map<string, Upload | null>());
  const count = useRef(0);
  const update = (key: string, patch: Partial<StagedFile>) =>
    setFiles((list) => list.map((f) => (f.key === key ? { ...f, ...patch } : f)));

  /** Keeps what fits, makes each a staged file with `start`, and says whether some were left out. */
  const stage = <T>(items: readonly T[], start: (item: T, key: string) => StagedFile) => {
    const taken = items.slice(0, Math.max(0, MAX_FILES - entries.current.size));
    const added = taken.map((item) => start(item, `staged-${++count.current}`));
    setFiles((list) => [...list, ...added]);
    setTooMany(taken.length < items.length);
  };

  const add = useCallback(
    (picked: readonly File[]) =>
      stage(picked, (file, key) => {
        const upload = uploadWithProgress(client.http, file, (progress) => update(key, { progress }));
        entries.current.set(key, upload);
        upload.done.then(
          (view) => update(key, { view, progress: 1 }),
          (error: unknown) => update(key, { error }),
        );
        return { key, name: file.name || 'pasted', progress: 0, view: null, error: null };
      }),
    [client],
  );
  const addUploaded = useCallback(
    (ids: readonly string[]) =>
      stage(ids, (id, key) => {
        entries.current.set(key, null);
        client.http.attachment(id).then(
          (view) => update(key, { view, name: view.name, progress: 1 }),
          // Unsent uploads are swept after a while (attachments.unsentTtlSeconds): say so, not "not found".
          (error: unknown) =>
            update(key, {
              error: fieldsOf(error).code === 'attachment_not_found' ? new LocalError('attachments.gone') : error,
            }),
        );
        return { key, name: null, progress: 0, view: null, error: null };
      }),
    [client],
  );
  const remove = useCallback((key: string) => {
    entries.current.get(key)?.abort();
    entries.current.delete(key);
    setFiles((list) => list.filter((f) => f.key !== key));
  }, []);
  const clear = useCallback(() => {
    entries.current.clear();
    setFiles([]);
    setTooMany(false);
  }, []);
  // Leaving the conversation cancels what is still uploading (what finished is swept by the host later).
  useEffect(() => () => entries.current.forEach((u) => u?.abort()), []);
  return {
    files,
    add,
    addUploaded,
    remove,
    ready: files.every((f) => f.view !== null),
    busy: files.some((f) => f.view === null && f.error === null),
    ids: files.flatMap((f) => (f.view ? [f.view.id] : [])),
    tooMany,
    clear,
  };
}
