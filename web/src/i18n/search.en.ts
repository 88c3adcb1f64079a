/** The English texts of message search (/search), spread into en.ts. */
export const searchEn = {
  'search.open': 'Search messages',
  'search.title': 'Search',
  'search.label': 'Words to find',
  'search.help': 'Finds messages with every word, in conversations you are in.',
  'search.scope': 'Where',
  'search.everywhere': 'All conversations',
  'search.withAttachments': 'Only messages with attachments',
  'search.submit': 'Search',
  'search.searching': 'Searching…',
  'search.results': 'Messages found',
  'search.none': 'No message matches “{query}”.',
  'search.more': 'More results',
  'search.hit': '{sender} in {conversation}, {time}',
  'search.hitInThread': '{sender} in a thread in {conversation}, {time}',
  'search.someConversation': 'a conversation',
} as const;
