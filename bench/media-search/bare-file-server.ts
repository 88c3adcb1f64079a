/**
 * The reference file server of `npm run bench -- media-search`, run as its own process as a host
 * runs in one: bare node:http answering every GET with the same bytes from memory (no signature
 * check, no database, no blob store), with the headers a host's file answer carries. The size is
 * argv[2]. Prints `{"port":N}` on stdout once listening; exits on SIGTERM.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

const body = randomBytes(Number(process.argv[2]));
const server = createServer((_req, res) => {
  res.writeHead(200, {
    'content-type': 'application/octet-stream',
    'content-length': body.length,
    'cache-control': 'private, max-age=300',
    'x-content-type-options': 'nosniff',
    'accept-ranges': 'bytes',
  });
  res.end(body);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ port: address && typeof address === 'object' ? address.port : 0 })}\n`);
});
process.on('SIGTERM', () => process.exit(0));
