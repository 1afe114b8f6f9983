import { z } from 'zod';

/** Request and response shapes of the development outbox (`/api/outbox`). */

/** `?to=`: only the messages sent to this address (compared without case). */
export const OutboxFilter = z.object({
  to: z
    .string()
    .trim()
    .min(1)
    .max(320)
    .optional()
    .describe('Only the messages sent to this address (any case).'),
});

export const OutboxMessage = z.object({
  id: z.string(),
  to: z.string(),
  subject: z.string(),
  text: z.string(),
  html: z.string().nullable(),
  /** Epoch milliseconds. */
  createdAt: z.number(),
});
export type OutboxMessage = z.infer<typeof OutboxMessage>;
