import type { searchEn } from './search.en';

/** Les textes français de la recherche de messages (/search), répartis dans fr.ts. */
export const searchFr: Record<keyof typeof searchEn, string> = {
  'search.open': 'Rechercher des messages',
  'search.title': 'Recherche',
  'search.label': 'Mots à trouver',
  'search.help': 'Trouve les messages contenant chaque mot, dans vos conversations.',
  'search.scope': 'Où',
  'search.everywhere': 'Toutes les conversations',
  'search.withAttachments': 'Seulement les messages avec pièces jointes',
  'search.submit': 'Rechercher',
  'search.searching': 'Recherche…',
  'search.results': 'Messages trouvés',
  'search.none': 'Aucun message ne correspond à « {query} ».',
  'search.more': 'Plus de résultats',
  'search.hit': '{sender} dans {conversation}, {time}',
  'search.hitInThread': '{sender} dans un fil de {conversation}, {time}',
  'search.someConversation': 'une conversation',
};
