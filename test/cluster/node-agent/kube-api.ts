import { Agent, request, type RequestOptions } from 'node:https';
import type { IncomingMessage } from 'node:http';

/** Where the API server is and how to authenticate to it (PEM contents, not paths). */
export interface KubeApiCredentials {
  /** `https://127.0.0.1:PORT` */
  readonly server: string;
  readonly ca: Buffer;
  readonly cert: Buffer;
  readonly key: Buffer;
}

/** A non-2xx answer from the API server, with its Status reason (NotFound, AlreadyExists, Expired...). */
export class KubeApiError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly reason: string,
    readonly body: string,
  ) {
    super(`${method} ${path}: ${status} ${reason}: ${body.slice(0, 500)}`);
    this.name = 'KubeApiError';
  }
}

export function isNotFound(error: unknown): boolean {
  return error instanceof KubeApiError && error.status === 404;
}

export interface WatchEvent<T> {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  readonly object: T;
}

export type PatchType = 'merge' | 'strategic';

const CONTENT_TYPES = {
  json: 'application/json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
} as const;

const REQUEST_TIMEOUT_MS = 15_000;

/**
 * A small JSON client for the few calls the node agent makes. Plain node:https rather than a
 * generated client: a watch is just a long GET that streams one JSON event per line, and
 * aborting it must be immediate on stop().
 */
export class KubeApi {
  private readonly agent: Agent;
  private readonly openWatches = new Set<IncomingMessage>();

  constructor(private readonly credentials: KubeApiCredentials) {
    this.agent = new Agent({ keepAlive: true, ca: credentials.ca, cert: credentials.cert, key: credentials.key });
  }

  get server(): string {
    return this.credentials.server;
  }

  /** Sends one request; resolves with the parsed JSON answer, rejects with KubeApiError on a non-2xx status. */
  send<T>(method: string, path: string, body?: unknown, type: keyof typeof CONTENT_TYPES = 'json'): Promise<T> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (payload !== undefined) {
      headers['Content-Type'] = CONTENT_TYPES[type];
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    return new Promise((resolve, reject) => {
      const req = request(this.url(path), this.requestOptions(method, headers), (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('error', reject);
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          if (status >= 200 && status < 300) {
            resolve((text === '' ? undefined : JSON.parse(text)) as T);
          } else {
            reject(new KubeApiError(method, path, status, statusReason(text), text));
          }
        });
      });
      req.setTimeout(REQUEST_TIMEOUT_MS, () =>
        req.destroy(new Error(`${method} ${path} timed out after ${REQUEST_TIMEOUT_MS} ms`)),
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  get<T>(path: string): Promise<T> {
    return this.send<T>('GET', path);
  }

  /** The object, or undefined when it does not exist. */
  async find<T>(path: string): Promise<T | undefined> {
    try {
      return await this.get<T>(path);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  patch<T>(path: string, body: unknown, type: PatchType = 'merge'): Promise<T> {
    return this.send<T>('PATCH', path, body, type);
  }

  /**
   * Streams the events of a watch (`path` carries `watch=1` and the query) to `onEvent`, one at
   * a time in order. Resolves when the server ends the stream (its timeoutSeconds) or close()
   * aborts it; rejects on a non-2xx answer or a broken connection.
   */
  watch<T>(path: string, onEvent: (event: WatchEvent<T>) => void): Promise<void> {
    return new Promise((resolve, reject) => {
      const req = request(this.url(path), this.requestOptions('GET', { Accept: 'application/json' }), (response) => {
        const status = response.statusCode ?? 0;
        if (status < 200 || status >= 300) {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () => reject(new KubeApiError('GET', path, status, statusReason(text), text)));
          return;
        }
        this.openWatches.add(response);
        let buffered = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          buffered += chunk;
          for (let newline = buffered.indexOf('\n'); newline >= 0; newline = buffered.indexOf('\n')) {
            const line = buffered.slice(0, newline).trim();
            buffered = buffered.slice(newline + 1);
            if (line === '') continue;
            try {
              onEvent(JSON.parse(line) as WatchEvent<T>);
            } catch (error) {
              response.destroy(error instanceof Error ? error : new Error(String(error)));
              return;
            }
          }
        });
        const finish = (error?: Error): void => {
          this.openWatches.delete(response);
          if (error === undefined) resolve();
          else reject(error);
        };
        response.on('end', () => finish());
        response.on('close', () => finish());
        response.on('error', (error) => finish(error));
      });
      req.on('error', reject);
      req.end();
    });
  }

  /** Ends the open watches: their watch() promises resolve. */
  closeWatches(): void {
    for (const response of this.openWatches) response.destroy();
    this.openWatches.clear();
  }

  /** Ends the open watches and the keep-alive sockets (the last call on this client). */
  close(): void {
    this.closeWatches();
    this.agent.destroy();
  }

  private url(path: string): string {
    return `${this.credentials.server}${path}`;
  }

  private requestOptions(method: string, headers: Record<string, string>): RequestOptions {
    return { method, headers, agent: this.agent };
  }
}

/** The `reason` of a metav1.Status body (NotFound, Conflict, Expired...), or the start of the text. */
function statusReason(text: string): string {
  try {
    const status = JSON.parse(text) as { reason?: string; message?: string };
    return status.reason ?? status.message ?? 'Unknown';
  } catch {
    return text.slice(0, 100) || 'Unknown';
  }
}
