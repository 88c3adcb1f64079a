import type { profileEn } from './profile.en';

/** Les textes français de l'écran du profil : les mêmes clés que profile.en.ts. */
export const profileFr: Record<keyof typeof profileEn, string> = {
  'profile.title': 'Votre profil',
  'profile.handle': 'Identifiant',
  'profile.handleNote': 'Votre identifiant permet de vous trouver ; il ne peut pas être changé.',
  'profile.name.title': 'Nom',
  'profile.name.save': 'Enregistrer le nom',
  'profile.name.saving': 'Enregistrement…',
  'profile.name.saved': 'Votre nom affiché est maintenant « {name} ».',
  'profile.avatar.title': 'Photo',
  'profile.avatar.current': 'Votre photo',
  'profile.avatar.none': 'Vous n’avez pas de photo : on voit vos initiales.',
  'profile.avatar.choose': 'Choisir une image',
  'profile.avatar.help':
    'Une image JPEG, PNG, WebP, GIF ou AVIF. Elle est recadrée en carré autour de ce qui compte le plus.',
  'profile.avatar.preview': 'L’image choisie',
  'profile.avatar.use': 'Utiliser cette image',
  'profile.avatar.uploading': 'Envoi…',
  'profile.avatar.cancel': 'Annuler',
  'profile.avatar.saved': 'Votre photo est changée.',
  'profile.avatar.remove': 'Retirer la photo',
  'profile.avatar.removing': 'Retrait…',
  'profile.blocks.title': 'Personnes bloquées',
  'profile.blocks.help':
    'Vous ne pouvez plus vous écrire en conversation privée avec les personnes que vous bloquez. Dans les groupes, leurs mentions ne vous notifient pas.',
  'profile.blocks.none': 'Vous ne bloquez personne.',
  'profile.blocks.unblock': 'Débloquer',
  'profile.blocks.unblockLabel': 'Débloquer {name}',
  'profile.avatar.removed': 'Votre photo est retirée.',
  'profile.error.attachment_type_not_allowed':
    'Ce fichier n’est pas une image acceptée par ce serveur. Choisissez une image JPEG, PNG, WebP, GIF ou AVIF.',
  'profile.error.attachment_type_mismatch':
    'Ce fichier n’est pas le genre d’image qu’annonce son type. Choisissez-en une autre.',
  'profile.error.attachment_invalid_image':
    'Cette image est illisible : elle est peut-être abîmée, ou d’un format que ce serveur ne sait pas ouvrir. Choisissez-en une autre.',
  'profile.error.attachment_image_too_large': 'Cette image a trop de pixels. Choisissez-en une plus petite.',
  'profile.error.attachment_too_large': 'Ce fichier est trop lourd. Choisissez une image plus petite.',
};
