import type { Platform } from '../../platform/platform.ts';
import type { CoachDeps } from './deps.ts';
import { exerciseFor, topicOf } from './offline-coach.ts';
import type { Source } from './tables.ts';

/**
 * What a reply draws on: the shipped exercise for the message's topic, and up
 * to two library items (content module) for that topic. A library that fails
 * or is absent leaves the exercise alone: the coach never waits on it to answer.
 */
export async function sourcesFor(platform: Platform, deps: CoachDeps, text: string): Promise<Source[]> {
  const { topic } = topicOf(text);
  const exercise = exerciseFor(topic, text);
  const sources: Source[] = [
    { id: exercise.id, title: exercise.title, tags: [...exercise.topics], kind: 'exercise' },
  ];
  if (deps.library) {
    const items = await deps.library(platform, topic.replace('-', ' '), 2).catch(() => []);
    for (const item of items.slice(0, 2)) {
      sources.push({ id: item.id, title: item.title, tags: [...item.tags], kind: 'content' });
    }
  }
  return sources;
}
