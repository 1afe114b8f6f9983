import { z } from 'zod';
import { created, get, ok, post } from '../http/routes.ts';
import { defineManagementRoutes } from './guard.ts';

// Logto's names for the algorithms: EC = ES256 (P-256), RSA = RS256.
const SigningKeyAlgorithm = z.enum(['EC', 'RSA']);
const toJose = { EC: 'ES256', RSA: 'RS256' } as const;
const fromJose = (algorithm: string) => (algorithm === 'RS256' ? 'RSA' : 'EC');

const SigningKey = z.object({
  id: z.string(),
  signingKeyAlgorithm: SigningKeyAlgorithm,
  createdAt: z.number(),
  retiredAt: z.number().nullable(),
});

const listKeys = async (
  list: () => Promise<Array<{ id: string; algorithm: string; createdAt: Date; retiredAt: Date | null }>>,
) =>
  (await list()).map((key) => ({
    id: key.id,
    signingKeyAlgorithm: fromJose(key.algorithm),
    createdAt: key.createdAt.getTime(),
    retiredAt: key.retiredAt?.getTime() ?? null,
  }));

/**
 * SPEC §2 key rotation: the new key signs from now on; the previous public key stays in JWKS until tokens it
 * signed have expired. Every instance reloads its keys (change bus).
 */
export const configRoutes = defineManagementRoutes('/api/configs/oidc', ({ oidc }) => [
  get(
    '/private-keys',
    {
      response: z.array(SigningKey),
      status: [200],
      summary: 'Signing keys still published in JWKS, the current one first.',
    },
    async () => ok(await listKeys(oidc.listSigningKeys)),
  ),
  post(
    '/private-keys/rotate',
    {
      body: z.object({ signingKeyAlgorithm: SigningKeyAlgorithm.optional() }).strict(),
      response: z.array(SigningKey),
      status: [201, 400],
      summary: 'Rotate the signing key (optionally switching between EC/ES256 and RSA/RS256).',
    },
    async ({ body }) => {
      await oidc.rotateSigningKey(body.signingKeyAlgorithm ? toJose[body.signingKeyAlgorithm] : undefined);
      return created(await listKeys(oidc.listSigningKeys));
    },
  ),
]);
