import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Device cookies (OWASP "Slow Down Online Guessing Attacks with Device Cookies"; SECURITY-TESTS B3: an attacker
 * cannot lock a victim out forever). A browser that signed in to an account gets a cookie naming that account;
 * its later password attempts on that account are counted in a lockout bucket of their own. An attacker, who
 * has no such cookie, can lock the account for every unknown browser, but not for the devices its owner uses.
 *
 * The value holds up to `maxEntries` entries `<device id>.<mac>`, mac = HMAC(key, account id + device id), so an
 * entry is only valid for the account it was issued to and cannot be forged or moved to another account. The
 * account id itself is not in the cookie.
 */
export type DeviceCookies = {
  readonly name: string;
  /** The device id this cookie vouches for on `accountId`, if any. */
  trustedFor(cookie: string | undefined, accountId: string): string | undefined;
  /** The `Set-Cookie` header value after a successful sign-in to `accountId` (keeping other accounts' entries). */
  issue(cookie: string | undefined, accountId: string): string;
};

const maxEntries = 5;
const maxAgeSeconds = 180 * 24 * 60 * 60;
const entryPattern = /^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}$/;

export const createDeviceCookies = ({ key, secure }: { key: Buffer; secure: boolean }): DeviceCookies => {
  const name = secure ? '__Host-gh_device' : 'gh_device';
  const mac = (accountId: string, deviceId: string) =>
    createHmac('sha256', key).update(`${accountId}\u0000${deviceId}`).digest().subarray(0, 16);
  const entries = (cookie: string | undefined) =>
    (cookie ?? '')
      .split('~')
      .filter((entry) => entryPattern.test(entry))
      .slice(0, maxEntries);
  const validFor = (entry: string, accountId: string) => {
    const [deviceId = '', given = ''] = entry.split('.');
    const expected = mac(accountId, deviceId);
    const actual = Buffer.from(given, 'base64url');
    return actual.length === expected.length && timingSafeEqual(actual, expected) ? deviceId : undefined;
  };

  return {
    name,
    trustedFor: (cookie, accountId) => {
      for (const entry of entries(cookie)) {
        const deviceId = validFor(entry, accountId);
        if (deviceId) return deviceId;
      }
      return undefined;
    },
    issue: (cookie, accountId) => {
      const deviceId = randomBytes(16).toString('base64url');
      const fresh = `${deviceId}.${mac(accountId, deviceId).toString('base64url')}`;
      const others = entries(cookie).filter((entry) => !validFor(entry, accountId));
      const value = [fresh, ...others].slice(0, maxEntries).join('~');
      // `__Host-` needs Secure, Path=/ and no Domain; over plain-http development the plain name is used.
      return `${name}=${value}; Path=/; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
    },
  };
};
