import type { structuredEn } from './structured.en';

/** Les textes français des messages structurés, du menu et des commandes : les mêmes clés que structured.en.ts. */
export const structuredFr: Record<keyof typeof structuredEn, string> = {
  'structured.unsupported': "Ce type de message n'est pas pris en charge par ce client.",
  'structured.dismiss': 'Masquer',
  'structured.opensInNewTab': "(s'ouvre dans un nouvel onglet)",
  'structured.quickReplies': 'Réponses rapides',
  'structured.carousel': 'Carrousel, {count} cartes',
  'structured.inboxUpdate': 'La boîte de réception a été mise à jour.',

  'structured.transfer.youSent': 'Vous avez envoyé {amount} à {name}',
  'structured.transfer.sentYou': '{name} vous a envoyé {amount}',
  'structured.transfer.sent': '{from} a envoyé {amount} à {to}',
  'structured.transfer.withNote': '{sentence} — {note}',

  'structured.handover.toPerson': 'Vous parlez maintenant à une personne.',
  'structured.handover.toBot': 'Vous parlez maintenant à un assistant automatique.',
  'structured.handover.requestedPerson': 'Une personne a été invitée à vous répondre.',
  'structured.handover.requestedBot': "L'assistant automatique a été invité à reprendre la conversation.",

  'structured.receipt.title': 'Reçu de la commande {number}',
  'structured.receipt.for': 'Pour {name}',
  'structured.receipt.items': 'Articles',
  'structured.receipt.subtotal': 'Sous-total',
  'structured.receipt.shipping': 'Livraison',
  'structured.receipt.tax': 'Taxes',
  'structured.receipt.total': 'Total',
  'structured.receipt.paidWith': 'Payé avec {method}',
  'structured.receipt.shipTo': 'Adresse de livraison',
  'structured.receipt.viewOrder': 'Voir la commande',

  'structured.order.title': 'Commande {number}',
  'structured.order.confirmed': 'Votre commande est confirmée.',
  'structured.order.shipped': 'Votre commande a été expédiée.',
  'structured.order.out_for_delivery': 'Votre commande est en cours de livraison.',
  'structured.order.delivered': 'Votre commande a été livrée.',
  'structured.order.delayed': 'Votre commande a du retard.',
  'structured.order.cancelled': 'Votre commande a été annulée.',
  'structured.order.returned': 'Votre commande a été retournée.',
  'structured.order.unknown': 'Votre commande a été mise à jour.',
  'structured.order.carrier': 'Transporteur : {carrier}',
  'structured.order.estimate': 'Livraison prévue : {date}',
  'structured.order.track': 'Suivre le colis',

  'structured.menu.button': 'Menu de {name}',
  'structured.menu.label': 'Menu',
  'structured.business.opening': 'Ouverture de la conversation…',

  'structured.commands.label': 'Commandes',
  'structured.commands.loading': 'Chargement des commandes…',
  'structured.commands.count': 'Commandes correspondantes : {count}',
  'structured.commands.more': '{count} de plus : continuez à taper pour affiner la liste.',
  'structured.commands.none': 'Aucune commande ne peut être utilisée dans cette conversation.',
  'structured.commands.noMatch': 'Aucune commande ne correspond à « {text} ».',

  'structured.error.plugin_failed': "L'application qui répond a rencontré un problème. Réessayez plus tard.",
  'structured.error.plugin_timeout': "L'application qui répond a mis trop de temps. Réessayez.",
  'structured.error.message_not_found': "Ce message n'accepte plus de réponses.",
  'structured.error.command_not_found': 'Aucune commande de ce nom ne peut être utilisée ici.',
  'structured.error.business_not_found': "Cette entreprise n'existe pas.",
  'structured.error.thread_not_found': "Cette conversation avec l'entreprise est introuvable.",
  'structured.error.invalid_business_request': "L'entreprise n'a pas pu accepter cela.",
};
