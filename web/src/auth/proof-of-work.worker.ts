/// <reference lib="webworker" />
import { solveChallenge } from '@one2one/client/proof-of-work';

// Sign-up's proof of work, off the main thread so the page stays responsive while it hashes.
self.onmessage = async (event: MessageEvent<{ challenge: string; difficulty: number }>) => {
  const { challenge, difficulty } = event.data;
  try {
    self.postMessage({ solution: await solveChallenge(challenge, difficulty) });
  } catch (error) {
    self.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
};
