/**
 * Sums the statistics files of every partition into one, reading them one at a time: memory
 * holds the running sum and one file (2 × 67 MB at 4,096 dimensions) however many partitions
 * and images there are.
 */
import { FeatureJobError } from '../errors.js';
import type { ObjectStore } from '../storage/object-store.js';
import { addStatistics, createEmptyStatistics, type FeatureStatistics } from './feature-statistics.js';
import { decodeStatisticsFile } from './statistics-file.js';

export async function mergeStatistics(output: ObjectStore, keys: readonly string[]): Promise<FeatureStatistics> {
  let total: FeatureStatistics | undefined;
  let first = '';
  for (const key of keys) {
    const statistics = decodeStatisticsFile(await output.get(key), output.uriOf(key));
    if (total === undefined) {
      total = createEmptyStatistics(statistics.dimensions);
      first = key;
    } else if (statistics.dimensions !== total.dimensions) {
      throw new FeatureJobError(
        'FJ_PCA_MIXED_DIMENSIONS',
        `${output.uriOf(key)} holds ${statistics.dimensions}-dimensional features ` +
          `but ${output.uriOf(first)} ${total.dimensions}-dimensional ones`,
      );
    }
    addStatistics(total, statistics);
  }
  if (total === undefined)
    throw new FeatureJobError('FJ_PCA_NO_SHARDS', `no partition statistics to merge under ${output.uri}`);
  return total;
}
