import { randomBytes } from 'node:crypto';

/** A new row id: 21 URL-safe characters from 126 random bits (the size of the `varchar(21)` id columns). */
export const newId = (): string => randomBytes(16).toString('base64url').slice(0, 21);
