/**
 * The fp32 graph with one more output pair per calibrated tensor: ReduceMin and ReduceMax
 * over all of its axes, so calibration reads two floats per tensor and batch instead of the
 * activations themselves (block1's are 12.8 MB per image). fc2 stays an output, so the same
 * session also gives the fp32 features the fidelity gate compares against.
 */
import { OnnxDataType, type OnnxGraph, type OnnxNode, type OnnxValueInfo } from './onnx-model-builder.js';

export function computeRangeOutputNames(tensor: string): { min: string; max: string } {
  return { min: `${tensor}/calibration_min`, max: `${tensor}/calibration_max` };
}

export function buildCalibrationGraph(graph: OnnxGraph, tensors: readonly string[]): OnnxGraph {
  const nodes: OnnxNode[] = [...graph.nodes];
  const outputs: OnnxValueInfo[] = [...graph.outputs];
  for (const tensor of tensors) {
    const names = computeRangeOutputNames(tensor);
    for (const [op, output] of [
      ['ReduceMin', names.min],
      ['ReduceMax', names.max],
    ] as const) {
      nodes.push({
        name: output,
        opType: op,
        inputs: [tensor],
        outputs: [output],
        attributes: [{ name: 'keepdims', kind: 'int', value: 0 }],
      });
      outputs.push({ name: output, elemType: OnnxDataType.float, shape: [] });
    }
  }
  return { ...graph, name: `${graph.name}_calibration`, nodes, outputs };
}
