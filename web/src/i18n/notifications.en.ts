/** The English texts of push notifications, spread into en.ts. */
export const notificationsEn = {
  'notifications.label': 'Notifications',
  'notifications.turnOn': 'Turn on notifications',
  'notifications.turnOff': 'Turn off notifications',
  'notifications.on': 'Notifications are on in this browser.',
  'notifications.blocked': 'Notifications are blocked in this browser’s settings.',
  'notifications.error.push_disabled': 'This host does not send notifications.',
  'notifications.error.browser':
    'This browser could not turn notifications on (a private window allows none). Try again later, or in another browser.',
  'notifications.quiet.title': 'Quiet hours',
  'notifications.quiet.help': 'Every day from the start time to the end time, nothing is pushed to your browsers.',
  'notifications.quiet.enabled': 'Pause notifications during quiet hours',
  'notifications.quiet.from': 'From',
  'notifications.quiet.to': 'To',
  'notifications.quiet.timeZone': 'Time zone',
  'notifications.quiet.save': 'Save quiet hours',
  'notifications.quiet.saving': 'Saving…',
  'notifications.quiet.savedOn': 'Quiet hours saved: {start} to {end}, {timeZone}.',
  'notifications.quiet.savedOff': 'Quiet hours are off.',
  'notifications.quiet.error.timeZone':
    'This host does not know that time zone. Choose one from the list, such as Europe/Paris.',
  'notifications.quiet.error.sameTimes': 'Quiet hours must end at another time than they start.',
  'notifications.quiet.error.time': 'Enter the time quiet hours start and the time they end.',
} as const;
