/**
 * Host patterns, as plugins' `http.outbound` scopes write them: "api.example.com" (any port),
 * "api.example.com:8443", "*.example.com" (subdomains), "localhost:*", "[::1]:8080", "*".
 * Shared by the outbound capability (does a URL match?), by grants (does a requested pattern
 * cover the operator's?) and by link previews' `linkPreviews.allowHosts`.
 */
export interface HostPattern {
  readonly host: string;
  readonly port: string;
}

export function parsePattern(pattern: string): HostPattern {
  const p = pattern.trim().toLowerCase();
  const end = p.startsWith('[') ? p.indexOf(']') + 1 : p.lastIndexOf(':');
  if (end <= 0 || end >= p.length) return { host: p, port: '*' };
  return { host: p.slice(0, end), port: p[end] === ':' ? p.slice(end + 1) : '*' };
}

/** Whether the pattern admits a host and port (a port of "*" only where the pattern has one too). */
export function patternAdmits(p: HostPattern, host: string, port: string): boolean {
  return (
    (p.port === '*' || p.port === port) &&
    (p.host === '*' || p.host === host || (p.host.startsWith('*.') && host.endsWith(p.host.slice(1))))
  );
}
