import { ClientError, type HttpApi } from '../../../sdk/client/index.js';
import type { AttachmentView } from '../../../sdk/protocol/attachments.js';

export interface Upload {
  done: Promise<AttachmentView>;
  abort: () => void;
}

/**
 * POST /v1/attachments with the file as the body, through XMLHttpRequest: fetch() cannot report an
 * upload's progress. The host sniffs the type; the file's own type is only a claim it checks.
 * Failures are the client library's ClientError, as every other call's.
 */
export function uploadWithProgress(http: HttpApi, file: File, onProgress: (fraction: number) => void): Upload {
  const xhr = new XMLHttpRequest();
  const done = new Promise<AttachmentView>((resolve, reject) => {
    xhr.open('POST', http.fileUrl(`/v1/attachments?name=${encodeURIComponent(file.name || 'pasted')}`));
    if (http.token) xhr.setRequestHeader('Authorization', `Bearer ${http.token}`);
    if (file.type) xhr.setRequestHeader('Content-Type', file.type);
    xhr.responseType = 'json';
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      const body = xhr.response as { error?: { code: string; message: string } } | null;
      if (xhr.status >= 200 && xhr.status < 300 && body && !body.error) resolve(body as unknown as AttachmentView);
      else if (body?.error)
        reject(
          ClientError.fromBody(body.error, {
            status: xhr.status,
            requestId: xhr.getResponseHeader('x-request-id') ?? undefined,
          }),
        );
      else reject(ClientError.network(new Error(`HTTP ${xhr.status}`)));
    };
    xhr.onerror = () => reject(ClientError.network(new Error('the upload did not reach the host')));
    xhr.onabort = () => reject(new ClientError('upload_cancelled', 'The upload was cancelled.'));
    xhr.send(file);
  });
  return { done, abort: () => xhr.abort() };
}
