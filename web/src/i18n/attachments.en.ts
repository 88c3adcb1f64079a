/** The English texts of attachments (the composer's files, and files in messages), spread into en.ts. */
export const attachmentsEn = {
  'attachments.attach': 'Attach files',
  'attachments.attachShort': 'Attach',
  'attachments.staged': 'Files to send',
  'attachments.uploading': 'Uploading {name}',
  'attachments.remove': 'Remove',
  'attachments.waiting': 'Uploading…',
  'attachments.fetching': 'Getting a file back…',
  'attachments.unavailable': 'File no longer available',
  'attachments.gone':
    'The host no longer keeps this file: files not sent are deleted after a while. Remove it, and attach the file again.',
  'attachments.tooMany': 'At most {max} files go with one message; the rest were left out.',
  'attachments.inMessage': 'Files',
  'attachments.open': 'Open {name}',
  'attachments.download': 'Download {name} ({size})',
  'attachments.viewer': 'Image {name}',
  'attachments.close': 'Close',
  'attachments.previous': 'Previous image',
  'attachments.next': 'Next image',
  'attachments.position': '{index} / {count}',
  'attachments.dropHere': 'Drop files here to attach them',
  // An upload the host refused, in words (the staged file's notice), not "Something went wrong (code)".
  'attachments.error.attachment_too_large': 'This file is larger than this host takes. Remove it.',
  'attachments.error.attachment_quota_exceeded':
    'Your files on this host have reached their limit: this one does not fit. Remove it.',
  'attachments.error.attachment_type_not_allowed': 'This host does not take files of this kind. Remove it.',
  'attachments.error.attachment_type_mismatch': 'This file is not what its name or type says. Remove it.',
  'attachments.error.attachment_invalid_image':
    'This image cannot be read: it may be damaged, or of a kind this host cannot open. Remove it.',
  'attachments.error.attachment_image_too_large': 'This image has more pixels than this host takes. Remove it.',
} as const;
