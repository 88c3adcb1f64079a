import type { notificationsEn } from './notifications.en';

/** Les textes français des notifications, répartis dans fr.ts. */
export const notificationsFr: Record<keyof typeof notificationsEn, string> = {
  'notifications.label': 'Notifications',
  'notifications.turnOn': 'Activer les notifications',
  'notifications.turnOff': 'Désactiver les notifications',
  'notifications.on': 'Les notifications sont activées dans ce navigateur.',
  'notifications.blocked': 'Les notifications sont bloquées dans les réglages de ce navigateur.',
  'notifications.error.push_disabled': 'Cet hôte n’envoie pas de notifications.',
  'notifications.error.browser':
    'Ce navigateur n’a pas pu activer les notifications (une fenêtre de navigation privée n’en permet pas). Réessayez plus tard, ou dans un autre navigateur.',
  'notifications.quiet.title': 'Heures calmes',
  'notifications.quiet.help': 'Chaque jour, de l’heure de début à l’heure de fin, rien n’est envoyé à vos navigateurs.',
  'notifications.quiet.enabled': 'Suspendre les notifications pendant les heures calmes',
  'notifications.quiet.from': 'De',
  'notifications.quiet.to': 'À',
  'notifications.quiet.timeZone': 'Fuseau horaire',
  'notifications.quiet.save': 'Enregistrer les heures calmes',
  'notifications.quiet.saving': 'Enregistrement…',
  'notifications.quiet.savedOn': 'Heures calmes enregistrées : de {start} à {end}, {timeZone}.',
  'notifications.quiet.savedOff': 'Les heures calmes sont désactivées.',
  'notifications.quiet.error.timeZone':
    'Cet hôte ne connaît pas ce fuseau horaire. Choisissez-en un dans la liste, par exemple Europe/Paris.',
  'notifications.quiet.error.sameTimes':
    'Les heures calmes doivent finir à une autre heure que celle où elles commencent.',
  'notifications.quiet.error.time': 'Indiquez l’heure de début et l’heure de fin des heures calmes.',
};
