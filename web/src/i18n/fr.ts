import { adminFr } from './admin.fr';
import { agentFr } from './agent.fr';
import { attachmentsFr } from './attachments.fr';
import { voiceFr } from './voice.fr';
import { chatFr } from './chat.fr';
import type { Catalog } from './en';
import { moneyFr } from './money.fr';
import { notificationsFr } from './notifications.fr';
import { profileFr } from './profile.fr';
import { reportsFr } from './reports.fr';
import { searchFr } from './search.fr';
import { structuredFr } from './structured.fr';

/** The French texts: a missing or extra key does not compile. */
export const fr: Catalog = {
  'app.name': 'Switchboard',
  'app.loading': 'Chargement…',
  'app.skipToMain': 'Aller au contenu principal',
  'app.retry': 'Réessayer',
  'app.titleUnread': '({count})',

  'language.label': 'Langue',

  'auth.handle': 'Identifiant',
  'auth.handleHelp': 'De 3 à 32 lettres, chiffres, points, tirets ou soulignés.',
  'auth.displayName': 'Nom affiché',
  'auth.displayNameHelp': 'Le nom que les autres voient.',
  'auth.password': 'Mot de passe',
  'auth.passwordHelp': 'Au moins 8 caractères.',

  'login.title': 'Connexion',
  'login.heading': 'Se connecter à Switchboard',
  'login.submit': 'Se connecter',
  'login.submitting': 'Connexion…',
  'login.noAccount': 'Nouveau ?',
  'login.toRegister': 'Créer un compte',

  'register.title': 'Créer un compte',
  'register.heading': 'Créer votre compte Switchboard',
  'register.submit': 'Créer le compte',
  'register.submitting': 'Création de votre compte…',
  'register.haveAccount': 'Vous avez déjà un compte ?',
  'register.toLogin': 'Se connecter',

  'validation.required': 'Remplissez ce champ.',
  'validation.handle': 'Utilisez de 3 à 32 lettres, chiffres, points, tirets ou soulignés.',
  'validation.password': 'Utilisez de 8 à 256 caractères.',
  'validation.displayName': 'Utilisez de 1 à 64 caractères, pas seulement des espaces.',

  'header.signedInAs': 'Connecté en tant que {name}',
  'header.logout': 'Se déconnecter',
  'header.menu': 'Menu',
  'header.profileHint': '(votre profil)',
  'header.loggingOut': 'Déconnexion…',

  'nav.conversations': 'Conversations',
  'nav.consoles': 'Consoles',
  'nav.consolesFor': 'Pour les agents et les opérateurs',
  'nav.agent': 'Console agent',
  'nav.admin': "Console d'administration",
  'nav.back': 'Retour aux conversations',

  'home.title': 'Conversations',
  'home.heading': 'Bienvenue, {name}',
  'home.body': 'Choisissez une conversation pour la lire ici.',
  'conversation.title': 'Conversation',
  'agent.title': 'Console agent',
  'notFound.title': 'Page introuvable',
  'notFound.body': "Il n'y a rien à cette adresse.",
  'notFound.home': 'Aller à vos conversations',

  'error.generic': "Une erreur s'est produite ({code}).",
  'error.reference': 'Référence : {requestId}',
  'error.retryIn': 'Réessayez dans {seconds} s.',
  'error.unauthenticated': 'Vous êtes déconnecté. Reconnectez-vous.',
  'error.session_ended': 'Votre session a pris fin. Reconnectez-vous.',
  'error.invalid_credentials': "L'identifiant ou le mot de passe est incorrect.",
  'error.account_deactivated': "Ce compte a été désactivé. Adressez-vous à l'opérateur de ce serveur.",
  'error.rate_limited': 'Trop de tentatives. Patientez un instant, puis réessayez.',
  'error.handle_taken': 'Cet identifiant est déjà pris. Choisissez-en un autre.',
  'error.registration_closed': "Ce serveur n'accepte pas de nouveaux comptes. Demandez-en un à son opérateur.",
  'error.invalid_request': "Une partie de ce que vous avez saisi n'est pas valide.",
  'error.payload_too_large': 'Trop long pour être envoyé.',
  'error.network_error': 'Le serveur est injoignable. Vérifiez votre connexion et réessayez.',
  'error.offline': 'Vous êtes hors ligne. Réessayez quand la connexion sera revenue.',
  'error.timeout': 'Le serveur a mis trop de temps à répondre. Réessayez.',
  'error.forbidden': "Vous n'avez pas le droit de faire cela.",
  'error.insufficient_role': 'Votre rôle dans cette conversation ne le permet pas.',
  'error.conversation_not_found': "Cette conversation n'existe pas, ou vous n'en êtes pas membre.",
  'error.user_not_found': "Personne n'a cet identifiant.",
  'error.not_ready': 'Le serveur démarre. Réessayez dans un instant.',
  'error.shutting_down': 'Le serveur redémarre. Réessayez dans un instant.',
  'error.unavailable': 'Le serveur ne peut pas le faire pour le moment. Réessayez plus tard.',
  'error.internal_error': 'Le serveur a rencontré un problème. Réessayez plus tard.',
  ...structuredFr,
  ...moneyFr,
  ...chatFr,
  ...adminFr,
  ...agentFr,
  ...searchFr,
  ...attachmentsFr,
  ...voiceFr,
  ...notificationsFr,
  ...profileFr,
  ...reportsFr,
};
