import type { ApplicationType } from '../../db/schema.ts';
import { absoluteUriProblem, schemeOf } from '../shared.ts';

/**
 * Rules for redirect and post-logout redirect URIs. Redirect URIs are matched exactly (SPEC §2), so what is
 * stored must be exactly what a client will send: an absolute URI, no fragment (RFC 6749 §3.1.2), no
 * surrounding or inner whitespace, and never a scheme that runs code or reads local files.
 */

export type RedirectUriProblem = { uri: string; reason: string };

// Schemes that execute script or reach local content in a browser or webview; never a redirect target.
const forbiddenSchemes = new Set(['javascript', 'data', 'file', 'vbscript', 'blob', 'about']);

const webUriPattern = /^https?:\/\/[^/?#\s]+/i;

const problemOf = (uri: string, type: ApplicationType): string | undefined => {
  const problem = absoluteUriProblem(uri);
  if (problem) return problem;
  const scheme = schemeOf(uri);
  if (forbiddenSchemes.has(scheme)) return `the ${scheme}: scheme is not allowed`;
  const web = scheme === 'http' || scheme === 'https';
  // Without `//host`, the URL parser would silently read `https:example.com` as `https://example.com/`.
  if (web && !webUriPattern.test(uri)) return 'must name a host (scheme://host/…)';
  // RFC 8252 §7.1: native apps may also use a private-use scheme (reverse domain name, `com.example.app:/cb`).
  if (!web && type !== 'Native') return 'must use http or https';
  if (!web && uri.length <= scheme.length + 1) return 'must have a path after the scheme';
  return undefined;
};

/** The first problem with a list of URIs for an app of `type`, or `undefined` when every URI is acceptable. */
export const findRedirectUriProblem = (
  uris: readonly string[],
  type: ApplicationType,
): RedirectUriProblem | undefined => {
  const [first] = uris;
  if (type === 'MachineToMachine' && first !== undefined) {
    return { uri: first, reason: 'machine-to-machine applications have no redirect URIs' };
  }
  const seen = new Set<string>();
  for (const uri of uris) {
    const reason = problemOf(uri, type);
    if (reason) return { uri, reason };
    if (seen.has(uri)) return { uri, reason: 'is listed twice' };
    seen.add(uri);
  }
  return undefined;
};
