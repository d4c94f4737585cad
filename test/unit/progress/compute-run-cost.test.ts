import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeRunCost, formatRunCost } from '../../../executor/progress/compute-run-cost.js';

describe('computeRunCost (--price-per-vcpu-hour)', () => {
  it('prices the vCPU-hours of the run and a million images at the same rate', () => {
    // 4 vCPUs for 30 minutes at m5.xlarge's 0.048 per vCPU-hour, 7,200 images.
    const cost = computeRunCost({ vcpus: 4, wallMs: 30 * 60_000, images: 7_200, pricePerVcpuHour: 0.048 });
    assert.equal(cost.vcpuHours, 2);
    assert.ok(Math.abs(cost.cost - 0.096) < 1e-12);
    assert.ok(Math.abs((cost.costPerMillionImages ?? 0) - 13.333333333333334) < 1e-9);
    assert.equal(
      formatRunCost(cost, { vcpus: 4, pricePerVcpuHour: 0.048 }),
      'cost: 0.0960 (4 vCPUs x 0.5000 h at 0.048 per vCPU-hour); 13.33 per million images',
    );
  });

  it('gives no per-image figure when no image was processed', () => {
    const cost = computeRunCost({ vcpus: 2, wallMs: 1_000, images: 0, pricePerVcpuHour: 0.048 });
    assert.equal(cost.costPerMillionImages, undefined);
    assert.match(formatRunCost(cost, { vcpus: 2, pricePerVcpuHour: 0.048 }), /no image processed$/);
  });
});
