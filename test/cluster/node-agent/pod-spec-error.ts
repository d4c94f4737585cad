/**
 * Why the agent cannot start a pod's container: something the node agent does not do (a
 * second container, an image without a command, a volume type it cannot provide) or a
 * reference that does not resolve (a missing Secret key). The pod then fails with this
 * message in its container's terminated state, reason StartError, so a test sees it at once
 * instead of a pod stuck in Pending.
 */
export class PodSpecError extends Error {
  constructor(
    /** `Unsupported` (the agent cannot do it) or `ConfigError` (a reference did not resolve). */
    readonly kind: 'Unsupported' | 'ConfigError',
    message: string,
  ) {
    super(message);
    this.name = 'PodSpecError';
  }
}
