"""Keras itself as the reference for featurejob's VGG16 fc2 features (run with the test venv).

  keras_reference.py make-weights --seed N --out weights.h5
      VGG16(weights=None, include_top=True) with a seeded random init (He-normal kernels,
      small non-zero random biases), written in the legacy Keras HDF5 weights layout of the
      official vgg16_weights_tf_dim_ordering_tf_kernels.h5, then read back with
      model.load_weights() into a fresh VGG16 and checked equal.

  keras_reference.py features --weights weights.h5 --images list.txt --out features.f32
                              [--inputs-out inputs.f32] [--batch-size 16]
      fc2 features of each image listed (one path a line) through exactly the reference
      pipeline: load_img(target_size=(224, 224)) + img_to_array + vgg16.preprocess_input +
      model.predict. Writes float32 little-endian rows in list order; --inputs-out also writes
      the preprocessed [224,224,3] arrays, so a mismatch can be placed before or inside the
      model. Prints {"count", "dimensions"} as JSON on stdout.
"""
import argparse
import json
import os
import sys

# Before TensorFlow is imported: quiet, CPU only, the TensorFlow backend for Keras 3.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ["CUDA_VISIBLE_DEVICES"] = ""

import h5py  # noqa: E402
import numpy as np  # noqa: E402
import keras  # noqa: E402

INPUT_SIZE = 224


def build_vgg16():
    return keras.applications.VGG16(weights=None, include_top=True)


def randomise(model, seed):
    """He-normal kernels keep activations at a steady scale through 16 ReLU layers, so fc2
    depends on the image rather than on the biases. Biases are small but not zero: with
    biases of +-0.5, dropping one layer's (block1_conv1, block5_conv3, fc1 or fc2) moved fc2
    by 5e-4 to 2e-3 of its magnitude; +-1 doubles that margin over the test's 1e-4."""
    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        if not layer.weights:
            continue
        kernel, bias = layer.get_weights()
        fan_in = int(np.prod(kernel.shape[:-1]))
        kernel = rng.standard_normal(kernel.shape, dtype=np.float32) * np.float32(np.sqrt(2.0 / fan_in))
        bias = rng.uniform(-1.0, 1.0, bias.shape).astype(np.float32)
        layer.set_weights([kernel, bias])


def write_string_list_attr(node, name, values):
    # Fixed-length byte strings, as Keras' legacy writer stores them; an empty list is an
    # empty array, as Keras writes it for layers without weights.
    node.attrs[name] = np.asarray([v.encode("utf8") for v in values]) if values else np.asarray([])


def write_legacy_h5(model, path):
    """The official VGG16 file's layout: root attrs layer_names (every layer, in model
    order), backend and keras_version; one group per layer with attr weight_names and its
    datasets directly under it, named <layer>_W_1:0 (kernel) then <layer>_b_1:0 (bias).
    Keras' legacy loader (and ours) take weights by this order, not by name."""
    with h5py.File(path, "w") as f:
        write_string_list_attr(f, "layer_names", [layer.name for layer in model.layers])
        f.attrs["backend"] = b"tensorflow"
        f.attrs["keras_version"] = keras.__version__.encode("utf8")
        for layer in model.layers:
            group = f.create_group(layer.name)
            values = layer.get_weights()
            names = [f"{layer.name}_{suffix}_1:0" for suffix in ("W", "b")][: len(values)]
            write_string_list_attr(group, "weight_names", names)
            for name, value in zip(names, values):
                group.create_dataset(name, data=value.astype(np.float32))


def make_weights(args):
    model = build_vgg16()
    randomise(model, args.seed)
    write_legacy_h5(model, args.out)
    reloaded = build_vgg16()  # a fresh init, different from the file's weights
    reloaded.load_weights(args.out)
    layers = 0
    for original, loaded in zip(model.layers, reloaded.layers):
        expected, actual = original.get_weights(), loaded.get_weights()
        if len(expected) != len(actual) or any(not np.array_equal(a, b) for a, b in zip(expected, actual)):
            sys.exit(f"layer {original.name}: weights read back by model.load_weights differ from those written")
        if expected and not np.any(expected[1]):
            sys.exit(f"layer {original.name}: bias is all zero")
        layers += bool(expected)
    print(json.dumps({"out": args.out, "seed": args.seed, "weightedLayers": layers, "bytes": os.path.getsize(args.out)}))


def features(args):
    from keras.applications.vgg16 import preprocess_input
    from keras.utils import img_to_array, load_img

    with open(args.images, encoding="utf8") as f:
        paths = [line.rstrip("\n") for line in f if line.rstrip("\n")]
    base = build_vgg16()
    base.load_weights(args.weights)
    model = keras.Model(base.input, base.get_layer("fc2").output)

    inputs_out = open(args.inputs_out, "wb") if args.inputs_out else None
    count, dimensions = 0, 0
    with open(args.out, "wb") as out:
        for start in range(0, len(paths), args.batch_size):
            chunk = paths[start : start + args.batch_size]
            batch = np.stack(
                [img_to_array(load_img(p, target_size=(INPUT_SIZE, INPUT_SIZE))) for p in chunk]
            )
            batch = preprocess_input(batch)
            if inputs_out:
                inputs_out.write(batch.astype("<f4").tobytes())
            fc2 = model.predict(batch, batch_size=len(chunk), verbose=0)
            out.write(np.asarray(fc2, dtype="<f4").tobytes())
            count += len(chunk)
            dimensions = fc2.shape[1]
    if inputs_out:
        inputs_out.close()
    print(json.dumps({"count": count, "dimensions": dimensions}))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("make-weights")
    make.add_argument("--seed", type=int, required=True)
    make.add_argument("--out", required=True)
    feat = commands.add_parser("features")
    feat.add_argument("--weights", required=True)
    feat.add_argument("--images", required=True)
    feat.add_argument("--out", required=True)
    feat.add_argument("--inputs-out")
    feat.add_argument("--batch-size", type=int, default=16)
    args = parser.parse_args()
    (make_weights if args.command == "make-weights" else features)(args)


if __name__ == "__main__":
    main()
