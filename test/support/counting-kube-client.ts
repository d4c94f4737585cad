/**
 * A KubeClient that records every write it sends (POST, PUT, PATCH, DELETE), so a test can
 * assert what a reconcile wrote to the API server, not only what the world looks like after:
 * a create answered 409 or a patch that changes nothing is still a write.
 */
import { KubeClient, type KubeRequest } from '../../operator/kube/kube-client.js';

export class CountingKubeClient extends KubeClient {
  private writes: string[] = [];

  override async request<T = unknown>(req: KubeRequest): Promise<T> {
    if (req.method !== 'GET') this.writes.push(`${req.method} ${req.path}`);
    return super.request<T>(req);
  }

  /** The writes since the last call, in order, as `METHOD path`. */
  takeWrites(): string[] {
    const writes = this.writes;
    this.writes = [];
    return writes;
  }
}
