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
  'attachments.previous': 'Image précédente',
  'attachments.next': 'Image suivante',
  'attachments.position': '{index} / {count}',
  'attachments.dropHere': 'Déposez les fichiers ici pour les joindre',
  'attachments.error.attachment_too_large': 'Ce fichier est plus lourd que ce qu’accepte ce serveur. Retirez-le.',
  'attachments.error.attachment_quota_exceeded':
    'Vos fichiers sur ce serveur ont atteint leur limite : celui-ci n’y tient pas. Retirez-le.',
  'attachments.error.attachment_type_not_allowed': 'Ce serveur n’accepte pas ce genre de fichier. Retirez-le.',
  'attachments.error.attachment_type_mismatch': 'Ce fichier n’est pas ce qu’annoncent son nom ou son type. Retirez-le.',
  'attachments.error.attachment_invalid_image':
    'Cette image est illisible : elle est peut-être abîmée, ou d’un format que ce serveur ne sait pas ouvrir. Retirez-la.',
  'attachments.error.attachment_image_too_large':
    'Cette image a plus de pixels que n’en accepte ce serveur. Retirez-la.',
};
