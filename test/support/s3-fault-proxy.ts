/**
 * An HTTP proxy on 127.0.0.1 in front of MinIO that injects real faults, by request
 * pattern: it forwards a request and then drops the answer (the client sees the connection
 * close, as when a response is lost), answers an S3 error itself (409
 * ConditionalRequestConflict, 503 SlowDown, 500) without forwarding, resets the connection
 * before forwarding, or adds latency. Headers pass unchanged, so SigV4 signatures made for
 * the proxy's address still verify at MinIO.
 */
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

export type S3Fault =
  /** Forward, let MinIO act, then close the client connection without an answer. */
  | { readonly kind: 'drop-answer' }
  /** Answer this S3 error without forwarding. */
  | { readonly kind: 'error'; readonly status: number; readonly code: string }
  /** Destroy the client connection without forwarding. */
  | { readonly kind: 'reset' }
  /** Wait, then forward. */
  | { readonly kind: 'latency'; readonly ms: number }
  /** Forward untouched: a gap in a cycling rule (e.g. one 503 in five requests). */
  | { readonly kind: 'pass' };

export interface S3RequestFacts {
  readonly method: string;
  /** The path with the bucket, e.g. `/bucket/prefix/_featurejob/commits/part-00000.json`. */
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
}

export interface S3FaultRule {
  readonly match: (request: S3RequestFacts) => boolean;
  /** One fault per matching request, in order; when the list is used up the rule stops. */
  readonly faults: readonly S3Fault[];
  /** Start the list again when it is used up, so the rule never stops. */
  readonly cycle?: boolean;
  /** Walk the list once per path (each object's first request gets the first fault), not once overall. */
  readonly perPath?: boolean;
}

export interface S3FaultProxy {
  readonly endpoint: string;
  /** Faults injected so far, by kind, for test assertions and reports. */
  readonly injected: Readonly<Record<S3Fault['kind'], number>>;
  stop(): Promise<void>;
}

/** Matches a create-only write (`PutObject` with `If-None-Match: *`). */
export const isCreateOnlyPut = (request: S3RequestFacts): boolean =>
  request.method === 'PUT' && request.headers['if-none-match'] === '*';

export async function startS3FaultProxy(target: string, rules: readonly S3FaultRule[]): Promise<S3FaultProxy> {
  const upstream = new URL(target);
  const used = rules.map(() => new Map<string, number>());
  const injected: Record<S3Fault['kind'], number> = { 'drop-answer': 0, error: 0, reset: 0, latency: 0, pass: 0 };
  const nextFault = (facts: S3RequestFacts): S3Fault | undefined => {
    for (const [i, rule] of rules.entries()) {
      if (!rule.match(facts)) continue;
      const counters = used[i] as Map<string, number>;
      const counter = rule.perPath === true ? facts.path : '';
      const count = counters.get(counter) ?? 0;
      const position = rule.cycle === true && rule.faults.length > 0 ? count % rule.faults.length : count;
      const fault = rule.faults[position];
      if (fault === undefined) continue;
      counters.set(counter, count + 1);
      injected[fault.kind] += 1;
      return fault;
    }
    return undefined;
  };
  const server: Server = createServer((incoming, outgoing) => {
    const facts = { method: incoming.method ?? 'GET', path: incoming.url ?? '/', headers: incoming.headers };
    const fault = nextFault(facts);
    if (fault?.kind === 'reset') {
      incoming.socket.destroy();
      return;
    }
    if (fault?.kind === 'error') {
      incoming.resume();
      incoming.on('end', () => {
        outgoing.writeHead(fault.status, { 'content-type': 'application/xml' });
        outgoing.end(
          `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${fault.code}</Code>` +
            `<Message>injected by the test proxy</Message><Resource>${facts.path}</Resource></Error>`,
        );
      });
      return;
    }
    const forward = async (): Promise<void> => {
      if (fault?.kind === 'latency') await delay(fault.ms);
      const upstreamRequest = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: facts.method,
          path: facts.path,
          headers: incoming.headers,
        },
        (answer) => {
          if (fault?.kind === 'drop-answer') {
            answer.resume();
            answer.on('end', () => incoming.socket.destroy());
            return;
          }
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
        },
      );
      upstreamRequest.on('error', () => incoming.socket.destroy());
      incoming.pipe(upstreamRequest);
    };
    void forward();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    injected,
    stop: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
