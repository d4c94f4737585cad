/**
 * The fitted PCA model, `pca/model.json`: everything needed to project new features the way
 * the job projected its own, `(x − mean) · componentsᵀ` (divided by √explainedVariance when
 * whitened). Field meanings follow scikit-learn's PCA attributes (components_, mean_,
 * explained_variance_, …). Plain JSON with float64 numbers written in shortest round-trip
 * form, so numpy, pandas or any JSON reader loads it exactly.
 */
import { z } from 'zod';
import { FeatureJobError } from '../errors.js';

const finite = z.number().refine(Number.isFinite, 'a finite number');
const nonNegative = finite.refine((value) => value >= 0, 'a number ≥ 0');
const count = z.number().int().nonnegative();

export const PcaModelSchema = z
  .strictObject({
    version: z.literal(1),
    /** Feature rows the model was fitted on. */
    rows: count,
    /** Width of the input features (4,096 for fc2). */
    dimensions: z.number().int().positive(),
    /** K: how many principal components the model keeps. */
    components: z.number().int().positive(),
    whiten: z.boolean(),
    /** d column means (mean_). */
    mean: z.array(finite),
    /** K unit vectors of d values, largest variance first (components_). */
    componentVectors: z.array(z.array(finite)),
    /** Variance along each component, n − 1 denominator (explained_variance_). */
    explainedVariance: z.array(nonNegative),
    /** explainedVariance / totalVariance (explained_variance_ratio_). */
    explainedVarianceRatio: z.array(nonNegative),
    /** √(explainedVariance · (n − 1)) (singular_values_). */
    singularValues: z.array(nonNegative),
    /** Mean variance of the components not kept (noise_variance_). */
    noiseVariance: nonNegative,
    /** Sum of the variances of all d dimensions. */
    totalVariance: nonNegative,
    /** The explained variance ratio of every component, all d of them: the scree. */
    spectrumRatio: z.array(nonNegative),
  })
  .superRefine((model, context) => {
    const expect = (holds: boolean, message: string, path: PropertyKey[]): void => {
      if (!holds) context.addIssue({ code: 'custom', message, path });
    };
    const { dimensions: d, components: k } = model;
    expect(model.mean.length === d, `mean must hold ${d} values`, ['mean']);
    expect(
      model.componentVectors.length === k && model.componentVectors.every((v) => v.length === d),
      `componentVectors must be ${k} × ${d}`,
      ['componentVectors'],
    );
    for (const key of ['explainedVariance', 'explainedVarianceRatio', 'singularValues'] as const) {
      expect(model[key].length === k, `${key} must hold ${k} values`, [key]);
    }
    expect(model.spectrumRatio.length === d, `spectrumRatio must hold ${d} values`, ['spectrumRatio']);
    expect(k <= Math.min(model.rows, d), 'components must not exceed rows or dimensions', ['components']);
  });

export type PcaModel = z.infer<typeof PcaModelSchema>;

export function encodePcaModel(model: PcaModel): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(model)}\n`);
}

/** Parses model.json bytes; throws FJ_OUTPUT_INVALID naming `source` when they are not a model. */
export function decodePcaModel(bytes: Uint8Array, source: string): PcaModel {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new FeatureJobError('FJ_OUTPUT_INVALID', `${source} is not JSON`, { cause: error });
  }
  const parsed = PcaModelSchema.safeParse(json);
  if (!parsed.success)
    throw new FeatureJobError('FJ_OUTPUT_INVALID', `${source} is not a PCA model: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
