/**
 * Runs in the isolate, on `attachments.upload`'s arguments before they are serialized. The host
 * refuses an upload past ATTACHMENT_BYTES_PER_CALL with attachment_too_large, but base64 of
 * more than about 768 KiB is already past the boundary's 1 MiB of JSON, and the serializer would
 * throw a TypeError about the boundary instead: the app would meet the limit it did not break.
 * Checked here first, it gets the catalog error docs/plugins.md#attachments names, at any size.
 */
import type { Permission } from '../../../sdk/plugin/permissions.js';
import { MAX_UPLOAD_BASE64, uploadTooLarge } from '../../../sdk/plugin/capabilities/attachment-upload-bound.js';

// Captured before the app's bundle runs, as the serializer's builtins are.
const describe = Object.getOwnPropertyDescriptor;

/** Throws for an upload whose `data` is longer than a call carries; other calls pass untouched. */
export function checkUploadBound(method: string, args: readonly unknown[], need: (p: Permission) => void): void {
  if (method !== 'attachments.upload') return;
  // The host checks the permission before the size: so does this early check.
  need('attachments.write');
  const file = args[0];
  if (file === null || typeof file !== 'object') return;
  // Own data property only, as the serializer reads it: a getter is left to the serializer.
  const data: unknown = describe(file, 'data')?.value;
  if (typeof data === 'string' && data.length > MAX_UPLOAD_BASE64) throw uploadTooLarge('/0/data');
}
