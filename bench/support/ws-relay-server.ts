/**
 * The reference relay of `npm run bench -- messaging` and `npm run bench -- cluster`
 * (ws-relay-reference.ts), run as its own process: a bare `ws` server with no durability, no auth
 * and no ordering beyond TCP's. A client's token names the one conversation it joins
 * (`Authorization: Bearer <conversationId>`); each `send` frame is acked to its sender and pushed
 * as `message.created` to every member of the conversation, the sender included (as the host
 * echoes it), in the frame shapes the benchmark's pair driver reads. Prints `{"port":N}` on
 * stdout once listening; exits on SIGTERM.
 */
import { WebSocketServer, type WebSocket } from 'ws';

const members = new Map<string, WebSocket[]>();
let pts = 0;

const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
server.on('connection', (ws, req) => {
  const conversationId = (req.headers.authorization ?? '').replace(/^Bearer /, '');
  const list = members.get(conversationId) ?? [];
  list.push(ws);
  members.set(conversationId, list);
  ws.on('close', () => list.splice(list.indexOf(ws), 1));
  ws.on('message', (data: Buffer) => {
    const frame = JSON.parse(data.toString()) as { id: string; clientMsgId: string; content: unknown };
    ws.send(JSON.stringify({ type: 'result', replyTo: frame.id, data: { message: { pts: ++pts } } }));
    const pushed = JSON.stringify({
      type: 'message.created',
      conversationId,
      pts,
      message: { clientMsgId: frame.clientMsgId, content: frame.content },
    });
    for (const member of list) member.send(pushed);
  });
  ws.send('{"type":"ready"}');
});
server.on('listening', () => {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ port: address && typeof address === 'object' ? address.port : 0 })}\n`);
});
process.on('SIGTERM', () => process.exit(0));
