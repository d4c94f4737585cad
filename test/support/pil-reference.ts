import type { RgbImage } from '../../executor/pipeline/rgb-image.js';
import { runPython } from './python-venv.js';

const SCRIPT = `
import base64, json, sys
from PIL import Image
size = int(sys.argv[1])
out = []
for path in json.loads(sys.stdin.read()):
    with Image.open(path) as im:
        if im.mode != 'RGB':
            im = im.convert('RGB')
        if size > 0 and im.size != (size, size):
            im = im.resize((size, size), Image.NEAREST)
        out.append({'width': im.size[0], 'height': im.size[1], 'data': base64.b64encode(im.tobytes()).decode()})
print(json.dumps(out))
`;

/**
 * What Keras' `load_img` sees for each file, computed by Pillow in the test venv:
 * `Image.open(p).convert('RGB')` and, with `resize`, `.resize((n, n), Image.NEAREST)`.
 */
export function pilLoadRgb(paths: readonly string[], options: { resize?: number } = {}): RgbImage[] {
  const output = runPython(SCRIPT, { input: JSON.stringify(paths), args: [String(options.resize ?? 0)] });
  const images = JSON.parse(output) as { width: number; height: number; data: string }[];
  return images.map(({ width, height, data }) => ({
    width,
    height,
    data: new Uint8Array(Buffer.from(data, 'base64')),
  }));
}

/** Largest absolute per-sample difference between two RGB images of the same size. */
export function maxAbsDifference(a: RgbImage, b: RgbImage): number {
  if (a.width !== b.width || a.height !== b.height) {
    throw new Error(`sizes differ: ${a.width}x${a.height} vs ${b.width}x${b.height}`);
  }
  let max = 0;
  for (let i = 0; i < a.data.length; i += 1) {
    max = Math.max(max, Math.abs((a.data[i] as number) - (b.data[i] as number)));
  }
  return max;
}
