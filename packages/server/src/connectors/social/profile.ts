import type { OAuth2ConnectorConfig, SocialProfile } from './schemas.ts';

const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);

/** An avatar is shown in our pages: only an absolute http(s) URL is kept (no `javascript:`, no `data:`). */
const imageUrl = (value: unknown) => {
  const url = text(value);
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? url : undefined;
  } catch {
    return undefined;
  }
};

/** `true`, or the string "true" when the connector opts in (some providers send booleans as strings). */
const isVerified = (value: unknown, acceptString: boolean) =>
  value === true || (acceptString && value === 'true');

/**
 * OIDC Core §5.1 standard claims → profile. An email or phone number is kept only when the provider vouches for
 * it (`email_verified` / `phone_number_verified` true): an unverified upstream email must never reach account
 * linking (SECURITY-TESTS C9). Every claim stays in `rawData`.
 */
export const profileFromClaims = (
  claims: Record<string, unknown> & { sub: string },
  acceptStringVerified: boolean,
): SocialProfile => ({
  id: claims.sub,
  name: text(claims.name),
  avatar: imageUrl(claims.picture),
  email: isVerified(claims.email_verified, acceptStringVerified) ? text(claims.email) : undefined,
  phone: isVerified(claims.phone_number_verified, acceptStringVerified)
    ? text(claims.phone_number)
    : undefined,
  rawData: { ...claims },
});

/**
 * The value at a dot path (`data.user.id`, `emails.0.value`), own properties only: a path cannot reach
 * `__proto__` or `constructor`.
 */
export const valueAtPath = (data: unknown, path: string): unknown => {
  let current: unknown = data;
  for (const segment of path.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
};

/**
 * Userinfo JSON → profile through `profileMap`. The id may be a string or a number (GitHub's is a number).
 * The email is kept only when `profileMap.emailVerified` names a field that is `true`; without that mapping the
 * provider has not vouched for it, so it is left out (it is still in `rawData`). The phone number likewise, with
 * `profileMap.phoneVerified`.
 */
export const profileFromUserinfo = (
  userinfo: Record<string, unknown>,
  profileMap: OAuth2ConnectorConfig['profileMap'],
): SocialProfile | undefined => {
  const rawId = valueAtPath(userinfo, profileMap.id);
  const id = typeof rawId === 'number' && Number.isSafeInteger(rawId) ? String(rawId) : text(rawId);
  if (!id || id.length > 255) return undefined;
  const vouched = (path: string | undefined) => path !== undefined && valueAtPath(userinfo, path) === true;
  const verified = vouched(profileMap.emailVerified);
  return {
    id,
    name: profileMap.name ? text(valueAtPath(userinfo, profileMap.name)) : undefined,
    avatar: profileMap.avatar ? imageUrl(valueAtPath(userinfo, profileMap.avatar)) : undefined,
    email: verified && profileMap.email ? text(valueAtPath(userinfo, profileMap.email)) : undefined,
    phone:
      vouched(profileMap.phoneVerified) && profileMap.phone
        ? text(valueAtPath(userinfo, profileMap.phone))
        : undefined,
    rawData: userinfo,
  };
};
