import { parse } from 'pg-connection-string';

/**
 * knex's connection for a PostgreSQL URL, parsed by the driver as libpq would parse it. Given the
 * URL as a string, knex parses it itself, and takes one without a host name (the Unix-socket
 * form `postgresql://user@/db?host=/var/run/postgresql`) for a SQLite file name.
 */
export function postgresConnection(url: string): { connectionString: string } {
  return { connectionString: url };
}

/**
 * Where a URL points, for logs and errors: user, host (or socket directory), port and database.
 * Never a password, whether in the user part or a `password=` parameter, nor any other parameter.
 */
export function describePostgresUrl(url: string): string {
  let parts: ReturnType<typeof parse>;
  try {
    parts = parse(url);
  } catch {
    // An unparseable URL may still hold a password; print none of it.
    return 'postgres://(unparseable url)';
  }
  const user = parts.user ? `${encodeURIComponent(parts.user)}@` : '';
  const host = parts.host ?? '';
  const where = host.startsWith('/') ? `(socket ${host})` : host.includes(':') ? `[${host}]` : host;
  const port = parts.port ? `:${parts.port}` : '';
  return `postgres://${user}${where}${port}/${parts.database ?? ''}`;
}
