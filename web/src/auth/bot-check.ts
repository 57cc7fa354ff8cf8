import { unwrap } from '@one2one/client';
import { api } from '../api.ts';

/**
 * The `botCheck` value sign-up needs, when the API has a check on
 * (GET /v1/auth/challenge): a proof of work solved in a Web Worker. A CAPTCHA
 * would need the provider's widget script, which this app's CSP does not load.
 */
export async function botCheckSolution(): Promise<string | undefined> {
  const challenge = await unwrap(api.GET('/v1/auth/challenge'));
  if (challenge.kind === 'off') return undefined;
  if (challenge.kind !== 'pow') {
    throw new Error('Sign-up needs a CAPTCHA this app cannot show; please use the mobile app.');
  }
  const worker = new Worker(new URL('./proof-of-work.worker.ts', import.meta.url), { type: 'module' });
  try {
    return await new Promise<string>((resolve, reject) => {
      worker.onmessage = (event: MessageEvent<{ solution?: string; error?: string }>) =>
        event.data.solution
          ? resolve(event.data.solution)
          : reject(new Error(event.data.error ?? 'no solution'));
      worker.onerror = (event) => reject(new Error(event.message));
      worker.postMessage({ challenge: challenge.challenge, difficulty: challenge.difficulty });
    });
  } finally {
    worker.terminate();
  }
}
