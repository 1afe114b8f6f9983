import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createHealth } from '../src/status/health.ts';
import { pglite } from './support/db.ts';

describe('readiness check behind /api/status', () => {
  it('reuses a success for its time to live, then notices a database that went away', async () => {
    const db = await pglite.create();
    const health = createHealth(db, 100);
    await health.check();
    await db.close();
    await health.check(); // within the TTL: the last success stands
    await new Promise((resolve) => setTimeout(resolve, 150));
    await assert.rejects(health.check());
    await assert.rejects(health.check(), 'a failure is not cached as a success');
  });

  it('shares one ping among concurrent checks', async () => {
    const db = await pglite.create();
    let pings = 0;
    const counted = {
      ...db,
      ping: async () => {
        pings += 1;
        await db.ping();
      },
    };
    try {
      const health = createHealth(counted, 1_000);
      await Promise.all(Array.from({ length: 20 }, () => health.check()));
      assert.equal(pings, 1);
    } finally {
      await db.close();
    }
  });
});
