import type { KubeObject } from '../../crds/kube-object.js';

/** The parts of a batch/v1 Job the operator reads. */
export interface JobObject extends KubeObject {
  readonly spec?: { readonly completions?: number; readonly parallelism?: number; readonly suspend?: boolean };
  readonly status?: {
    readonly active?: number;
    readonly ready?: number;
    readonly succeeded?: number;
    readonly failed?: number;
    readonly startTime?: string;
    readonly completedIndexes?: string;
    readonly failedIndexes?: string;
    readonly conditions?: ReadonlyArray<{
      readonly type: string;
      readonly status: string;
      readonly reason?: string;
      readonly message?: string;
    }>;
  };
}
