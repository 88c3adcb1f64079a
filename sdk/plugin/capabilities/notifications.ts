/** The notifications capability: Web Push to people's browsers. Part of PluginContext (../plugin-context.ts). */

/** What the person's browser shows (docs/plugins.md, "Notifications"). */
export interface PluginNotification {
  /** The notification's title: 1 to 120 characters. */
  title: string;
  /** Its text: 1 to 4,000 characters; the push shows the first 120 (a longer text is cut, with "…"). */
  body: string;
  /** The conversation it is about, which the person must belong to; a click opens it. */
  conversationId?: string;
  /** The host's page a click opens instead, a path such as "/agent" (default: the conversation's, else "/"). */
  url?: string;
  /** What it is about, for the service worker: "assignment", or "plugin" (the default). */
  kind?: 'assignment' | 'plugin';
}

export interface NotificationsCapability {
  /**
   * permission notifications.send: queues a push to the browsers of a person who shares a
   * conversation with the plugin's bot. Like a message's push, it goes only while the person has
   * no socket open anywhere, outside their quiet hours, and not for a conversation they muted;
   * resolves once queued, without waiting for the push services.
   */
  send(userId: string, notification: PluginNotification): Promise<void>;
}
