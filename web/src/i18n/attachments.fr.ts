import type { attachmentsEn } from './attachments.en';

/** Les textes français des pièces jointes, répartis dans fr.ts. */
export const attachmentsFr: Record<keyof typeof attachmentsEn, string> = {
  'attachments.attach': 'Joindre des fichiers',
  'attachments.attachShort': 'Joindre',
  'attachments.staged': 'Fichiers à envoyer',
  'attachments.uploading': 'Envoi de {name}',
  'attachments.remove': 'Retirer',
  'attachments.waiting': 'Envoi…',
  'attachments.fetching': 'Récupération d’un fichier…',
  'attachments.unavailable': 'Fichier plus disponible',
  'attachments.gone':
    'L’hôte ne garde plus ce fichier : les fichiers non envoyés sont supprimés au bout d’un moment. Retirez-le, puis joignez de nouveau le fichier.',
  'attachments.tooMany': 'Au plus {max} fichiers par message ; les autres ont été laissés de côté.',
  'attachments.inMessage': 'Fichiers',
  'attachments.open': 'Ouvrir {name}',
  'attachments.download': 'Télécharger {name} ({size})',
  'attachments.viewer': 'Image {name}',
  'attachments.close': 'Fermer',
  'attachments.dropHere': 'Déposez les fichiers ici pour les joindre',
};
