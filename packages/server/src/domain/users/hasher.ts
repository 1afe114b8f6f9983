import type { Registry } from '../../registry.ts';
import { createPasswordHasher, type PasswordHasher } from '../../vault/passwords.ts';

// One hasher per registry, so every route group and sign-in page of an instance shares one concurrency limit
// (vault/passwords.ts). Kept here, keyed weakly by the registry, until the registry wires it itself.
const hashers = new WeakMap<Registry, PasswordHasher>();

/** The password hasher of this registry (created at first use). */
export const getPasswordHasher = (registry: Registry): PasswordHasher => {
  let hasher = hashers.get(registry);
  if (!hasher) {
    hasher = createPasswordHasher();
    hashers.set(registry, hasher);
  }
  return hasher;
};
