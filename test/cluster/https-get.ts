import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { setTimeout as delay } from 'node:timers/promises';

/** TLS for a control-plane endpoint: verify with `ca` and present a client certificate, or neither. */
export type EndpointTls =
  | { readonly ca: string; readonly cert: string; readonly key: string }
  | { readonly insecure: true };

/** GET over HTTPS (http:// URLs too, for etcd); resolves with the status and body, never rejects on a status. */
export async function httpsGet(url: string, tls: EndpointTls): Promise<{ status: number; body: string }> {
  if (url.startsWith('http://')) {
    const response = await fetch(url);
    return { status: response.status, body: await response.text() };
  }
  const options =
    'insecure' in tls
      ? { rejectUnauthorized: false }
      : { ca: readFileSync(tls.ca), cert: readFileSync(tls.cert), key: readFileSync(tls.key) };
  return new Promise((resolve, reject) => {
    const req = request(url, { ...options, method: 'GET', timeout: 5000 }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      response.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/**
 * Polls `url` until it answers 200, checking `alive()` between tries (it throws when the
 * component has died, which ends the wait early with its reason).
 */
export async function waitForOk(
  url: string,
  tls: EndpointTls,
  timeoutMs: number,
  alive: () => Promise<void>,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    await alive();
    try {
      const { status, body } = await httpsGet(url, tls);
      if (status === 200) return body;
      last = `${status}: ${body.slice(0, 2000)}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await delay(200);
  }
  throw new Error(`${url} not ready within ${timeoutMs} ms (last: ${last})`);
}
