import type Koa from 'koa';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import { stringProblem } from '../validation/input-strings.js';

/**
 * The string rule of host/validation/input-strings.ts for everything an HTTP request carries
 * besides headers and body: the path (so every path parameter) and the query. Percent-
 * encoding must decode to UTF-8 (an encoded lone surrogate such as %ED%A0%80 does not), and the
 * decoded text must not hold U+0000. Runs before any route, the plugins' routes included. Bodies
 * follow the same rule in json-body.ts.
 */
export function urlInputRules(): Koa.Middleware {
  return async (ctx, next) => {
    const segments = ctx.path.split('/');
    for (let i = 1; i < segments.length; i++) {
      const problem = decodedProblem(segments[i]!, false);
      if (problem) {
        throw new SwitchboardError('invalid_request', `The path segment ${i} ${problem}.`, {
          details: [{ path: '/path', message: `segment ${i} ${problem}` }],
        });
      }
    }
    const query = ctx.querystring;
    if (query !== '') {
      for (const part of query.split('&')) {
        if (part === '') continue;
        const eq = part.indexOf('=');
        const rawName = eq === -1 ? part : part.slice(0, eq);
        const nameProblem = decodedProblem(rawName, true);
        if (nameProblem) {
          throw new SwitchboardError('invalid_request', `A query parameter name ${nameProblem}.`, {
            details: [{ path: '/query', message: `a parameter name ${nameProblem}` }],
          });
        }
        const valueProblem = eq === -1 ? null : decodedProblem(part.slice(eq + 1), true);
        if (valueProblem) {
          const name = decodeURIComponent(rawName.replace(/\+/g, ' '));
          throw new SwitchboardError('invalid_request', `Query parameter ${name} ${valueProblem}.`, {
            details: [{ path: `/query/${name}`, message: valueProblem }],
          });
        }
      }
    }
    await next();
  };
}

/** What is wrong with a percent-encoded path segment or query part once decoded, or null. */
function decodedProblem(raw: string, plusIsSpace: boolean): string | null {
  if (!raw.includes('%')) return stringProblem(raw);
  let decoded: string;
  try {
    decoded = decodeURIComponent(plusIsSpace ? raw.replace(/\+/g, ' ') : raw);
  } catch {
    // decodeURIComponent's URIError says only "URI malformed"; this answer names the cause instead.
    return 'is not percent-encoded UTF-8 (an encoded lone surrogate or a broken escape)';
  }
  return stringProblem(decoded);
}
