import type { voiceEn } from './voice.en';

/** Les textes français des messages vocaux, répartis dans fr.ts. */
export const voiceFr: Record<keyof typeof voiceEn, string> = {
  'voice.record': 'Enregistrer un message vocal',
  'voice.starting': 'En attente du micro…',
  'voice.recording': 'Enregistrement',
  'voice.elapsed': '{time} sur {max}',
  'voice.send': 'Arrêter et envoyer',
  'voice.cancel': 'Annuler',
  'voice.cancelFull': 'Annuler l’enregistrement',
  'voice.limitReached': 'Les messages vocaux s’arrêtent à {max} : celui-ci est joint, prêt à envoyer.',
  'voice.denied':
    'Le micro n’est pas autorisé pour ce site, rien n’a donc été enregistré. Autorisez-le dans les réglages du site du navigateur pour enregistrer un message vocal.',
  'voice.noMicrophone':
    'Aucun micro n’a été trouvé, rien n’a donc été enregistré. Branchez-en un pour enregistrer un message vocal.',
  'voice.unavailable':
    'Le micro n’a pas pu être utilisé, rien n’a donc été enregistré : une autre application l’utilise peut-être.',
  'voice.unsupported': 'Ce navigateur ne sait pas enregistrer de message vocal.',
  'voice.insecure':
    'Les messages vocaux ne peuvent être enregistrés que si ce site est ouvert par une connexion sécurisée (HTTPS).',
  'voice.message': 'Message vocal',
  'voice.messageLength': 'Message vocal, {time}',
};
