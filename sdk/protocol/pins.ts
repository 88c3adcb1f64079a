/** Pinned messages: docs/protocol.md, "Pinned messages". */
import type { Message } from './message.js';

/** The most messages a conversation keeps pinned; one more is refused (`pin_limit_reached`). */
export const MAX_PINS_PER_CONVERSATION = 50;

/** A pinned message, as `GET /v1/conversations/:id/pins` and the `pins` frame list it. */
export interface Pin {
  message: Message;
  /** The member who pinned it. */
  pinnedBy: string;
  /** ISO time. */
  pinnedAt: string;
}

/** The body of the system messages that announce a pin or an unpin. */
export interface PinSystemBody {
  messageId: string;
}

export interface PinFrame {
  type: 'pin';
  id: string;
  conversationId: string;
  messageId: string;
}
export interface UnpinFrame {
  type: 'unpin';
  id: string;
  conversationId: string;
  messageId: string;
}
export interface PinsFrame {
  type: 'pins';
  id: string;
  conversationId: string;
}
/** The answer to `pin` (the pin as stored: the first one, when the message was pinned already). */
export interface PinResult {
  pin: Pin;
}
/** The answer to `pins` and `GET …/pins`: newest pin first. */
export interface PinsResult {
  pins: Pin[];
}
