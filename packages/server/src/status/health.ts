import type { Db } from '../db/client.ts';

export type Health = { check(): Promise<void> };

/**
 * Readiness of the database, as `/api/status` reports it. Concurrent checks share one ping (single flight),
 * and a success is reused for `okTtlMs`, so a flood of health probes costs the database one query per
 * second instead of one per probe. A failure is never reused: recovery shows on the next probe.
 */
export const createHealth = (db: Db, okTtlMs = 1_000): Health => {
  let inFlight: Promise<void> | undefined;
  let okUntil = 0;
  return {
    check() {
      if (Date.now() < okUntil) return Promise.resolve();
      inFlight ??= db
        .ping()
        .then(() => {
          okUntil = Date.now() + okTtlMs;
        })
        .finally(() => {
          inFlight = undefined;
        });
      return inFlight;
    },
  };
};
