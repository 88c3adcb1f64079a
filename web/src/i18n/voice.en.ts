/** The English texts of voice messages (recording them in the composer, playing them in the log), spread into en.ts. */
export const voiceEn = {
  'voice.record': 'Record voice message',
  'voice.starting': 'Waiting for the microphone…',
  'voice.recording': 'Recording',
  'voice.elapsed': '{time} of {max}',
  'voice.send': 'Stop and send',
  'voice.cancel': 'Cancel',
  'voice.cancelFull': 'Cancel recording',
  'voice.limitReached': 'Voice messages stop at {max}: this one is attached, ready to send.',
  'voice.denied':
    'The microphone is not allowed for this site, so nothing was recorded. Allow it in the browser’s site settings to record a voice message.',
  'voice.noMicrophone': 'No microphone was found, so nothing was recorded. Connect one to record a voice message.',
  'voice.unavailable':
    'The microphone could not be used, so nothing was recorded: another application may be using it.',
  'voice.unsupported': 'This browser cannot record voice messages.',
  'voice.insecure': 'Voice messages can only be recorded when this site is opened over a secure (HTTPS) connection.',
  'voice.message': 'Voice message',
  'voice.messageLength': 'Voice message, {time}',
} as const;
