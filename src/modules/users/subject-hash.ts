import { createHash } from 'node:crypto';

/**
 * The only trace an erasure leaves: a hash that confirms a known id was
 * erased (and keeps it from being recreated), without storing the id.
 */
export function subjectHash(userId: string): string {
  return createHash('sha256').update(`users.erasure:${userId}`).digest('hex');
}
