/**
 * `run --price-per-vcpu-hour P`: what the run cost at that price, from the vCPUs it used and its
 * wall time, and what a million images cost at the same rate. m5.xlarge on demand in us-east-1 is
 * 0.192 USD an hour for 4 vCPUs, 0.048 USD per vCPU-hour (aws.amazon.com/ec2/pricing/on-demand).
 */
export interface RunCost {
  readonly vcpuHours: number;
  readonly cost: number;
  /** Undefined when the run processed no image. */
  readonly costPerMillionImages: number | undefined;
}

export function computeRunCost(options: {
  readonly vcpus: number;
  readonly wallMs: number;
  readonly images: number;
  readonly pricePerVcpuHour: number;
}): RunCost {
  const vcpuHours = (options.vcpus * options.wallMs) / 3_600_000;
  const cost = vcpuHours * options.pricePerVcpuHour;
  return {
    vcpuHours,
    cost,
    costPerMillionImages: options.images > 0 ? (cost / options.images) * 1_000_000 : undefined,
  };
}

/** `cost: 0.0042 (2 vCPUs x 0.044 h at 0.048 per vCPU-hour); 2.95 per million images`. */
export function formatRunCost(cost: RunCost, options: { vcpus: number; pricePerVcpuHour: number }): string {
  const hours = cost.vcpuHours / options.vcpus;
  const perMillion =
    cost.costPerMillionImages === undefined
      ? 'no image processed'
      : `${cost.costPerMillionImages.toFixed(2)} per million images`;
  return (
    `cost: ${cost.cost.toFixed(4)} (${options.vcpus} vCPUs x ${hours.toFixed(4)} h at ${options.pricePerVcpuHour} ` +
    `per vCPU-hour); ${perMillion}`
  );
}
