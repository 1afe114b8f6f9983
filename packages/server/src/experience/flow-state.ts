import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/schema.ts';
import { digest } from '../oidc/adapter.ts';

/**
 * Multi-step sign-in flows as explicit state machines (STYLE.md): each flow lists its steps and which step may
 * follow which. A request for a step the flow is not at is refused by `expect`, so no handler can forget a check
 * (e.g. finishing a registration whose email was never verified).
 */
export const flows = {
  register: { start: 'details', next: { details: ['verify'], verify: ['done'], done: [] } },
  codeSignIn: { start: 'email', next: { email: ['verify'], verify: ['done'], done: [] } },
  // Social sign-in: upstream (state/nonce/PKCE kept here) → callback (state used up) → done, or link first.
  social: {
    start: 'upstream',
    next: { upstream: ['callback'], callback: ['link', 'done'], link: ['done'], done: [] },
  },
  resetPassword: {
    start: 'email',
    next: { email: ['verify'], verify: ['password'], password: ['done'], done: [] },
  },
} as const;

export type FlowName = keyof typeof flows;
type StepOf<F extends FlowName> = keyof (typeof flows)[F]['next'];

export type FlowState<F extends FlowName = FlowName> = {
  flow: F;
  step: StepOf<F>;
  data: Record<string, unknown>;
};

export class FlowStepRefused extends Error {
  constructor(
    readonly flow: string,
    readonly step: string,
  ) {
    super(`the ${flow} flow is not at step ${step}`);
    this.name = 'FlowStepRefused';
  }
}

export const createFlowStore = (db: Kysely<Database>, tenantId: string, ttlSeconds = 3600) => {
  const key = (interactionId: string) => digest(interactionId);
  const load = async (interactionId: string) =>
    db
      .selectFrom('experience_flows')
      .select(['flow', 'step', 'data'])
      .where('tenant_id', '=', tenantId)
      .where('interaction_id', '=', key(interactionId))
      .where('expires_at', '>', sql<Date>`now()`)
      .executeTakeFirst();
  const save = async (
    interactionId: string,
    state: { flow: string; step: string; data: Record<string, unknown> },
  ) => {
    const row = {
      tenant_id: tenantId,
      interaction_id: key(interactionId),
      flow: state.flow,
      step: state.step,
      data: JSON.stringify(state.data),
      expires_at: new Date(Date.now() + ttlSeconds * 1000),
    };
    await db
      .insertInto('experience_flows')
      .values(row)
      .onConflict((conflict) =>
        conflict.columns(['tenant_id', 'interaction_id']).doUpdateSet({
          flow: row.flow,
          step: row.step,
          data: row.data,
          expires_at: row.expires_at,
          updated_at: new Date(),
        }),
      )
      .execute();
  };
  return {
    /** Starts (or restarts) a flow at its first step. */
    start: async <F extends FlowName>(interactionId: string, flow: F, data: Record<string, unknown> = {}) => {
      await save(interactionId, { flow, step: flows[flow].start, data });
    },
    /** The flow's state if it is at `step`; otherwise FlowStepRefused. */
    expect: async <F extends FlowName>(
      interactionId: string,
      flow: F,
      step: StepOf<F>,
    ): Promise<FlowState<F>> => {
      const row = await load(interactionId);
      if (!row || row.flow !== flow || row.step !== step) throw new FlowStepRefused(flow, String(step));
      return { flow, step, data: (row.data ?? {}) as Record<string, unknown> };
    },
    /** Moves the flow to `to`, which must be allowed after its current step. */
    advance: async <F extends FlowName>(
      interactionId: string,
      state: FlowState<F>,
      to: StepOf<F>,
      data: Record<string, unknown> = state.data,
    ) => {
      const allowed = (flows[state.flow].next as Record<string, readonly string[]>)[String(state.step)] ?? [];
      if (!allowed.includes(String(to))) throw new FlowStepRefused(state.flow, String(to));
      await save(interactionId, { flow: state.flow, step: String(to), data });
    },
    clear: async (interactionId: string) => {
      await db
        .deleteFrom('experience_flows')
        .where('tenant_id', '=', tenantId)
        .where('interaction_id', '=', key(interactionId))
        .execute();
    },
  };
};

export type FlowStore = ReturnType<typeof createFlowStore>;
