import type { HostConfig } from '../../config/host-config.js';
import type { TokenService } from '../../auth/token-service.js';
import type { UserService } from '../../auth/user-service.js';
import type { ConversationService } from '../../conversations/conversation-service.js';
import type { MessageService } from '../../messages/message-service.js';

/** What the HTTP routes call; resolved from the container by the host. */
export interface RouteDeps {
  config: HostConfig;
  adminToken: string;
  tokens: TokenService;
  users: UserService;
  conversations: ConversationService;
  messages: MessageService;
  isReady(): Promise<boolean>;
}
