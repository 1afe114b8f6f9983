import { z } from 'zod';
import type { OutboundFetch } from './connector.ts';
import { parseJsonObject, readCapped } from './upstream-request.ts';

/**
 * The console's "Test" of a social connector (`POST /api/connectors/:id/test`): checks the settings against the
 * provider without signing anyone in. Every request goes through the SSRF-guarded outbound client, never follows
 * a redirect, carries no secret (the client secret is never sent) and is bounded in time and size. The report
 * says, check by check, what was found; the admin then fixes the form.
 */

export const ConfigCheckName = z.enum([
  'discovery',
  'issuer',
  'endpoints',
  'jwks',
  'authorization_endpoint',
  'token_endpoint',
  'userinfo_endpoint',
  'unsupported',
]);

export const ConfigCheck = z.object({
  /** Which check (stable; the console names it in the admin's language). */
  name: ConfigCheckName,
  /** `fail`: sign-in will not work as configured; `warn`: it may, but something looks wrong. */
  status: z.enum(['pass', 'warn', 'fail', 'skip']),
  /** What was found, in English (names hosts, never full URLs with query strings, never a secret). */
  detail: z.string(),
});
export type ConfigCheck = z.infer<typeof ConfigCheck>;

export const ConfigCheckReport = z.object({
  /** No check failed. */
  ok: z.boolean(),
  checks: z.array(ConfigCheck),
  /** Epoch milliseconds. */
  checkedAt: z.number(),
});
export type ConfigCheckReport = z.infer<typeof ConfigCheckReport>;

const maxBytes = 256 * 1024;
const timeoutMs = 5_000;

type Fetched = { status: number; text: string } | { error: string };

const fetchText = async (fetch: OutboundFetch, url: string): Promise<Fetched> => {
  let host = '';
  try {
    host = new URL(url).host;
    const response = await fetch(url, {
      method: 'GET',
      headers: { accept: 'application/json' },
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await readCapped(response, maxBytes);
    if (text === undefined) return { error: `the answer from ${host} is larger than ${maxBytes} bytes` };
    return { status: response.status, text };
  } catch (error) {
    // OutboundRequestRefused names the host and the reason (never the full URL).
    if (error instanceof Error && error.name === 'OutboundRequestRefused') return { error: error.message };
    if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
      return { error: `${host} did not answer within ${timeoutMs / 1000} s` };
    return { error: `${host || 'the host'} cannot be reached` };
  }
};

const listOf = (value: unknown): string[] =>
  typeof value === 'string' ? [value] : Array.isArray(value) ? value.map(String) : [];

/** An endpoint answers HTTP at all (any status below 500; without parameters a 400 or 401 is expected). */
const reachable = async (
  fetch: OutboundFetch,
  name: ConfigCheck['name'],
  url: unknown,
): Promise<ConfigCheck> => {
  if (typeof url !== 'string') return { name, status: 'skip', detail: 'Not configured.' };
  const answer = await fetchText(fetch, url);
  if ('error' in answer) return { name, status: 'fail', detail: `Not reachable: ${answer.error}.` };
  return answer.status >= 500
    ? { name, status: 'warn', detail: `Answered HTTP ${answer.status} (a server error).` }
    : { name, status: 'pass', detail: `Answers (HTTP ${answer.status} without parameters).` };
};

const checkJwks = async (
  fetch: OutboundFetch,
  jwksUri: unknown,
  algorithms: string[],
): Promise<ConfigCheck> => {
  const name = 'jwks';
  if (typeof jwksUri !== 'string') return { name, status: 'fail', detail: 'No JWKS URI configured.' };
  const answer = await fetchText(fetch, jwksUri);
  if ('error' in answer) return { name, status: 'fail', detail: `Not reachable: ${answer.error}.` };
  if (answer.status !== 200) return { name, status: 'fail', detail: `Answered HTTP ${answer.status}.` };
  const keys = parseJsonObject(answer.text)?.keys;
  if (!Array.isArray(keys)) return { name, status: 'fail', detail: 'The answer is not a JWK Set.' };
  const signing = keys.filter(
    (key): key is Record<string, unknown> =>
      Boolean(key) && typeof key === 'object' && (key as { use?: unknown }).use !== 'enc',
  );
  const usable = signing.filter(
    (key) =>
      key.kty !== 'oct' &&
      (algorithms.length === 0 || typeof key.alg !== 'string' || algorithms.includes(key.alg)),
  );
  if (usable.length === 0)
    return {
      name,
      status: 'fail',
      detail: `${keys.length} key(s), none usable to check ID token signatures${algorithms.length ? ` with ${algorithms.join(', ')}` : ''}.`,
    };
  const described = usable
    .slice(0, 5)
    .map((key) => [key.kty, key.alg, key.kid].filter((part) => typeof part === 'string').join(' '))
    .join('; ');
  return { name, status: 'pass', detail: `${usable.length} signing key(s): ${described}.` };
};

const checkOidc = async (fetch: OutboundFetch, config: Record<string, unknown>): Promise<ConfigCheck[]> => {
  const verification = (config.idTokenVerificationConfig ?? {}) as Record<string, unknown>;
  const issuers = listOf(verification.issuer);
  const algorithms = listOf(verification.algorithms);
  const checks: ConfigCheck[] = [];
  const first = issuers[0];
  if (!first) {
    checks.push(
      {
        name: 'discovery',
        status: 'skip',
        detail: 'No issuer configured: the discovery document cannot be found.',
      },
      {
        name: 'issuer',
        status: 'warn',
        detail: 'No issuer configured: the `iss` of ID tokens is not checked (strongly recommended).',
      },
    );
  } else {
    const url = `${first.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    const answer = await fetchText(fetch, url);
    const document = 'error' in answer || answer.status !== 200 ? undefined : parseJsonObject(answer.text);
    if (!document) {
      const why =
        'error' in answer
          ? `not reachable: ${answer.error}`
          : answer.status !== 200
            ? `answered HTTP ${answer.status}`
            : 'the answer is not a JSON object';
      checks.push(
        { name: 'discovery', status: 'warn', detail: `No discovery document at the issuer (${why}).` },
        { name: 'issuer', status: 'skip', detail: 'Not compared: no discovery document.' },
      );
    } else {
      checks.push({ name: 'discovery', status: 'pass', detail: 'The discovery document loads.' });
      checks.push(
        issuers.includes(String(document.issuer))
          ? { name: 'issuer', status: 'pass', detail: `The provider's issuer is ${String(document.issuer)}.` }
          : {
              name: 'issuer',
              status: 'fail',
              detail: `The provider says its issuer is ${String(document.issuer)}; the connector expects ${issuers.join(' or ')}: every ID token would be refused.`,
            },
      );
      const differences = (
        [
          ['authorization_endpoint', config.authorizationEndpoint, 'Authorization endpoint'],
          ['token_endpoint', config.tokenEndpoint, 'Token endpoint'],
          ['jwks_uri', verification.jwksUri, 'JWKS URI'],
        ] as const
      )
        .filter(([key, configured]) => typeof document[key] === 'string' && document[key] !== configured)
        .map(([key, , label]) => `${label}: the provider publishes ${String(document[key])}`);
      checks.push(
        differences.length === 0
          ? { name: 'endpoints', status: 'pass', detail: 'The endpoints match the discovery document.' }
          : { name: 'endpoints', status: 'warn', detail: `${differences.join('; ')}.` },
      );
    }
  }
  checks.push(await checkJwks(fetch, verification.jwksUri, algorithms));
  checks.push(await reachable(fetch, 'authorization_endpoint', config.authorizationEndpoint));
  return checks;
};

/** Runs the checks for a social connector's (masked) config. */
export const checkSocialConfig = async (
  fetch: OutboundFetch,
  connector: { connectorId: string; type: string; config: Record<string, unknown> },
): Promise<ConfigCheckReport> => {
  let checks: ConfigCheck[];
  if (connector.type !== 'Social') {
    checks = [{ name: 'unsupported', status: 'skip', detail: 'Only social connectors can be tested.' }];
  } else if (connector.connectorId === 'oidc') {
    checks = await checkOidc(fetch, connector.config);
  } else {
    checks = [
      await reachable(fetch, 'authorization_endpoint', connector.config.authorizationEndpoint),
      await reachable(fetch, 'token_endpoint', connector.config.tokenEndpoint),
      await reachable(fetch, 'userinfo_endpoint', connector.config.userInfoEndpoint),
    ];
  }
  return { ok: checks.every((check) => check.status !== 'fail'), checks, checkedAt: Date.now() };
};
