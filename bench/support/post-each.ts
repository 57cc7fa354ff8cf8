import autocannon from 'autocannon';

/**
 * POSTs JSON to `url` for `duration` seconds, a fresh request each time:
 * `next(n)` gets a running count and returns that request's body and extra headers
 * (the love-notes and note-pipeline benches send a new note per request).
 */
export function postEach(
  url: string,
  options: { connections: number; duration: number },
  next: (n: number) => { body: unknown; headers?: Record<string, string> },
): Promise<autocannon.Result> {
  let n = 0;
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url,
        method: 'POST',
        connections: options.connections,
        duration: options.duration,
        headers: { 'content-type': 'application/json' },
        requests: [
          {
            method: 'POST',
            setupRequest: (request) => {
              n += 1;
              const { body, headers } = next(n);
              return { ...request, headers: { ...request.headers, ...headers }, body: JSON.stringify(body) };
            },
          },
        ],
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
}
