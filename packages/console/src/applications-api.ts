/** The Applications screen's extra Management API calls (docs/console.md), spread into `createManagementApi`. */

/** Token lifetimes and options of an app (`customClientMetadata`, Logto's names). */
export type CustomClientMetadata = {
  /** Seconds, 60–86400: access tokens issued without a `resource` (the opaque token for `/oidc/me`). */
  accessTokenTtl?: number;
  /** Days, 1–365: the refresh token's sliding lifetime. */
  refreshTokenTtlInDays?: number;
  rotateRefreshToken?: boolean;
  corsAllowedOrigins?: string[];
};

type Call = <T>(
  path: string,
  options?: { method?: string; body?: unknown },
) => Promise<{ body: T; headers: Headers }>;

export const applicationEndpoints = (call: Call) => {
  const app = (id: string) => `/api/applications/${encodeURIComponent(id)}`;
  return {
    /** `PATCH /api/applications/:id`: keys given inside the metadata objects replace the stored ones. */
    setTokenLifetimes: async <T>(id: string, customClientMetadata: CustomClientMetadata) =>
      (await call<T>(app(id), { method: 'PATCH', body: { customClientMetadata } })).body,
  };
};
