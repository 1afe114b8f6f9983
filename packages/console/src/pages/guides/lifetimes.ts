/**
 * Token lifetimes of an app (`customClientMetadata`), checked in the page with the server's limits
 * (packages/server/src/domain/applications/applications.schemas.ts) before anything is sent.
 */

export const lifetimeLimits = {
  /** Seconds. */
  accessTokenTtl: { min: 60, max: 86_400 },
  /** Days. */
  refreshTokenTtlInDays: { min: 1, max: 365 },
} as const;

export type LifetimeField = keyof typeof lifetimeLimits;
export type LifetimeProblem = 'notInteger' | 'outOfRange';
export type LifetimeErrors = Partial<Record<LifetimeField, LifetimeProblem>>;

/**
 * The fields as typed: empty means "keep the stored value" (the PATCH merges keys), anything else must be a whole
 * number within the limits. `value` is what to send, present only when there is no error.
 */
export const validateLifetimes = (
  input: Record<LifetimeField, string>,
): { errors: LifetimeErrors; value?: Partial<Record<LifetimeField, number>> } => {
  const errors: LifetimeErrors = {};
  const value: Partial<Record<LifetimeField, number>> = {};
  for (const field of Object.keys(lifetimeLimits) as LifetimeField[]) {
    const text = input[field].trim();
    if (text === '') continue;
    if (!/^\d+$/.test(text)) {
      errors[field] = 'notInteger';
      continue;
    }
    const number = Number(text);
    const { min, max } = lifetimeLimits[field];
    if (number < min || number > max) errors[field] = 'outOfRange';
    else value[field] = number;
  }
  return Object.keys(errors).length > 0 ? { errors } : { errors, value };
};
