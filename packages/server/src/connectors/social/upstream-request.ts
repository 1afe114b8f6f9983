import type { OutboundFetch } from './connector.ts';
import { type SocialErrorCode, SocialSignInError } from './errors.ts';

/** Token and userinfo requests: the most one exchange (headers and body) may take (issue 5: "a 5 s timeout"). */
export const defaultUpstreamTimeoutMs = 5_000;
/** Token and userinfo responses: larger bodies are refused unread (SECURITY-TESTS C10 "huge JSON"). */
export const maxUpstreamBodyBytes = 1024 * 1024;

export type UpstreamAnswer = { status: number; contentType: string; text: string };

const isOutboundRefusal = (error: unknown, code: string) =>
  error instanceof Error &&
  error.name === 'OutboundRequestRefused' &&
  (error as { code?: unknown }).code === code;

/**
 * One request to the provider with our own deadline. The deadline aborts the fetch through its signal and, in
 * case the fetch handed to us does not honour signals, also stops waiting for it: a hanging provider costs a
 * sign-in attempt at most `timeoutMs`, whatever `fetch` does. The body is read with a byte cap. Redirects are
 * never followed (`redirect: 'manual'`): a 307 from a token endpoint would replay the code and the secret to
 * wherever it points.
 */
export const requestUpstream = async (
  fetch: OutboundFetch,
  url: string,
  init: RequestInit,
  options: { timeoutMs: number; failure: SocialErrorCode; tooLarge: SocialErrorCode },
): Promise<UpstreamAnswer> => {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort(new DOMException('The provider did not answer in time.', 'TimeoutError'));
      reject(new SocialSignInError('social.timeout'));
    }, options.timeoutMs);
  });
  const exchange = async (): Promise<UpstreamAnswer> => {
    let response: Response;
    try {
      response = await fetch(url, { ...init, redirect: 'manual', signal: controller.signal });
    } catch (error) {
      throw translate(error, controller.signal, options.failure, options.tooLarge, 'network');
    }
    try {
      const text = await readCapped(response, maxUpstreamBodyBytes);
      if (text === undefined) throw new SocialSignInError(options.tooLarge, { reason: 'body too large' });
      return { status: response.status, contentType: response.headers.get('content-type') ?? '', text };
    } catch (error) {
      throw translate(error, controller.signal, options.failure, options.tooLarge, 'body');
    }
  };
  try {
    return await Promise.race([exchange(), deadline]);
  } finally {
    clearTimeout(timer);
    // Stop a body still streaming when we gave up on it (a no-op when the exchange completed).
    controller.abort();
  }
};

const translate = (
  error: unknown,
  signal: AbortSignal,
  failure: SocialErrorCode,
  tooLarge: SocialErrorCode,
  stage: string,
): SocialSignInError => {
  if (error instanceof SocialSignInError) return error;
  if (signal.aborted || isOutboundRefusal(error, 'outbound.timeout')) {
    return new SocialSignInError('social.timeout', {}, { cause: error });
  }
  if (isOutboundRefusal(error, 'outbound.response_too_large')) {
    return new SocialSignInError(tooLarge, { reason: 'body too large' }, { cause: error });
  }
  // The guard's stable code (e.g. outbound.address_not_allowed) tells an operator why; it never holds a secret.
  const reason =
    error instanceof Error && error.name === 'OutboundRequestRefused'
      ? String((error as Error & { code?: unknown }).code ?? 'refused')
      : stage;
  return new SocialSignInError(failure, { reason }, { cause: error });
};

/** The body as text, or `undefined` when it is longer than `maxBytes` (the rest is not read). */
export const readCapped = async (response: Response, maxBytes: number): Promise<string | undefined> => {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => {});
    return undefined;
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
};

/** JSON.parse that answers `undefined` unless the text is one JSON object (not an array, not a scalar). */
export const parseJsonObject = (text: string): Record<string, unknown> | undefined => {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
};
