import type { Duplex } from 'node:stream';
import type { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import { REQUEST_ID_HEADER } from '../logging/request-id.js';

/** Answers an upgrade the host will not take as plain HTTP, with the JSON error body and the request id. */
export function refuseUpgrade(socket: Duplex, err: SwitchboardError, requestId: string): void {
  const body = JSON.stringify({ error: { ...err.toBody(), requestId } });
  const reason =
    err.status === 401
      ? 'Unauthorized'
      : err.status === 404
        ? 'Not Found'
        : err.status === 503
          ? 'Service Unavailable'
          : 'Error';
  socket.end(
    `HTTP/1.1 ${err.status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${REQUEST_ID_HEADER}: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
  );
}
