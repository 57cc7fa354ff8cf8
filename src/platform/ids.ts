import { v7 } from 'uuid';

/** Time-ordered UUIDv7: index-friendly like a sequence, unguessable like a UUID. */
export const newId = (): string => v7();
