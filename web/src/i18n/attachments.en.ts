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
  'attachments.dropHere': 'Drop files here to attach them',
} as const;
