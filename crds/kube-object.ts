/** The metadata every Kubernetes API object carries, as far as featurejob reads it. */
export interface KubeObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly uid?: string;
    readonly resourceVersion?: string;
    readonly generation?: number;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
    readonly ownerReferences?: ReadonlyArray<{
      readonly uid: string;
      readonly kind: string;
      readonly name: string;
      readonly controller?: boolean;
    }>;
    readonly creationTimestamp?: string;
    readonly deletionTimestamp?: string;
  };
}
