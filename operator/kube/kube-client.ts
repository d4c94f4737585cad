/**
 * The operator's one way to the API server: plain REST over HTTPS, with authentication
 * from @kubernetes/client-node's KubeConfig (kubeconfig file or in-cluster service account).
 * Paths are explicit, so every verb the operator uses is visible (and matched by its RBAC).
 */
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { request as httpRequest } from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';

export const ContentTypes = {
  json: 'application/json',
  mergePatch: 'application/merge-patch+json',
} as const;

/** A non-2xx answer of the API server, with its HTTP status and Status reason. */
export class KubeApiError extends Error {
  readonly status: number;
  readonly reason: string;

  constructor(status: number, reason: string, message: string) {
    super(message);
    this.name = 'KubeApiError';
    this.status = status;
    this.reason = reason;
  }
}

export function isKubeStatus(error: unknown, status: number): boolean {
  return error instanceof KubeApiError && error.status === status;
}

export interface KubeRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly body?: unknown;
  readonly contentType?: string;
  readonly signal?: AbortSignal;
}

const REQUEST_TIMEOUT_MS = 30_000;

export class KubeClient {
  readonly server: string;
  private readonly config: KubeConfig;

  constructor(config: KubeConfig) {
    const cluster = config.getCurrentCluster();
    if (cluster === null) throw new Error('the kubeconfig has no current cluster');
    this.config = config;
    this.server = cluster.server.replace(/\/$/, '');
  }

  private async open(req: KubeRequest, timeoutMs: number | undefined): Promise<IncomingMessage> {
    const url = new URL(this.server + req.path);
    for (const [key, value] of Object.entries(req.query ?? {}))
      if (value !== undefined) url.searchParams.set(key, String(value));
    const options: RequestOptions = { method: req.method, headers: { Accept: ContentTypes.json } };
    await this.config.applyToHTTPSOptions(options);
    const body = req.body === undefined ? undefined : JSON.stringify(req.body);
    if (body !== undefined)
      options.headers = { ...options.headers, 'Content-Type': req.contentType ?? ContentTypes.json };
    const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
    return new Promise((resolve, reject) => {
      const outgoing = send(url, { ...options, ...(req.signal === undefined ? {} : { signal: req.signal }) }, resolve);
      if (timeoutMs !== undefined)
        outgoing.setTimeout(timeoutMs, () => outgoing.destroy(new Error(`${req.method} ${req.path} timed out`)));
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  }

  /** One request; resolves with the decoded JSON body, rejects with KubeApiError on non-2xx. */
  async request<T = unknown>(req: KubeRequest): Promise<T> {
    const response = await this.open(req, REQUEST_TIMEOUT_MS);
    const chunks: Buffer[] = [];
    for await (const chunk of response) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const status = response.statusCode ?? 0;
    if (status < 200 || status >= 300) throw toApiError(status, text, req);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  /**
   * A watch stream: calls onEvent per JSON line until the server ends it, the signal
   * aborts, or an error occurs (rejects; 410 Gone arrives as a KubeApiError or an ERROR event).
   */
  async watch(req: Omit<KubeRequest, 'method' | 'body'>, onEvent: (event: WatchEvent) => void): Promise<void> {
    const response = await this.open({ ...req, method: 'GET', query: { ...req.query, watch: true } }, undefined);
    const status = response.statusCode ?? 0;
    if (status < 200 || status >= 300) {
      const chunks: Buffer[] = [];
      for await (const chunk of response) chunks.push(chunk as Buffer);
      throw toApiError(status, Buffer.concat(chunks).toString('utf8'), { method: 'GET', path: req.path });
    }
    let buffered = '';
    for await (const chunk of response) {
      buffered += (chunk as Buffer).toString('utf8');
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const line = buffered.slice(0, newline).trim();
        buffered = buffered.slice(newline + 1);
        if (line !== '') onEvent(JSON.parse(line) as WatchEvent);
        newline = buffered.indexOf('\n');
      }
    }
  }
}

export interface WatchEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  readonly object: {
    metadata?: { resourceVersion?: string };
    code?: number;
    message?: string;
    reason?: string;
  } & Record<string, unknown>;
}

function toApiError(status: number, text: string, req: Pick<KubeRequest, 'method' | 'path'>): KubeApiError {
  try {
    const body = JSON.parse(text) as { reason?: string; message?: string };
    return new KubeApiError(status, body.reason ?? '', body.message ?? `${req.method} ${req.path}: HTTP ${status}`);
  } catch {
    return new KubeApiError(status, '', `${req.method} ${req.path}: HTTP ${status} ${text.slice(0, 200)}`);
  }
}
