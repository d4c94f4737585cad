import { DEFAULT_IMAGES_PER_PARTITION, DEFAULT_MAX_PIXELS } from '../config/run-config.js';

export const RUN_HELP = `Usage: featurejob run <input> --out <output> [options]

Extracts VGG16 fc2 features (4,096 float32 values per image) from every image under
<input> and writes feature shards, errors.jsonl and manifest.json under <output>.
<input> and <output> are each a local directory or s3://bucket/prefix. Rerunning the same
command resumes: committed partitions are never redone and no row is ever duplicated.

Options:
  -o, --out <dir|s3://bucket/prefix>  where outputs go (required)
  -p, --partitions <n>                number of partitions (default: images / --images-per-partition)
      --images-per-partition <n>      partition size when --partitions is not given (default ${DEFAULT_IMAGES_PER_PARTITION})
  -w, --workers <n>                   worker processes (default 1)
  -t, --threads <n>                   inference threads per worker (default: cores / workers)
  -b, --batch-size <n>                images per inference call (default 8)
      --fetch-concurrency <n>         concurrent reads per worker (default 16)
      --weights <w>                   model weights (default auto):
                                        auto       ImageNet when cached or downloadable, else random
                                                   with a warning (offline quick start)
                                        imagenet   Keras' VGG16 ImageNet weights: cached, or downloaded
                                                   (md5-checked) and converted; never falls back
                                        random     He-normal from --seed: NOT ImageNet features
                                        file.h5    Keras VGG16 weights (HDF5), converted once, cached
                                        file.onnx  a VGG16-fc2 ONNX model, used as it is
                                        s3://bucket/key.h5|.onnx  either, read from S3
                                      Offline: 'featurejob models pull vgg16 --from <file.h5>'.
                                      Mirrors: FEATUREJOB_VGG16_URL, FEATUREJOB_VGG16_MD5.
      --seed <n>                      seed for --weights random (default 0)
  -f, --format <parquet|csv>          parquet (zstd): path, label, features; csv: dim_0..dim_4095,path
                                      (the reference layout) (default parquet)
      --s3-endpoint <url>             S3-compatible endpoint, e.g. http://127.0.0.1:9000
                                      (AWS_ENDPOINT_URL_S3 and the standard AWS variables also work)
      --region <name>                 S3 region (default: AWS_REGION, else us-east-1)
      --max-pixels <n>                images declaring more pixels are rejected from their header
                                      (default ${DEFAULT_MAX_PIXELS}, PIL's decompression-bomb limit)
      --max-attempts <n>              attempts per partition before the job fails (default 3)
      --progress <auto|bar|log|none>  progress bar on a TTY, log lines otherwise (default auto)
      --pca <K>                       then fit PCA with K components on all features and write
                                      pca/part-*.parquet (K values per image) and pca/model.json;
                                      each partition's statistics are computed during extraction
      --whiten                        with --pca: scale each component to unit variance
  -h, --help                          show this help

Exit codes: 0 done, 1 failed, 2 invalid arguments.
`;

export const REDUCE_HELP = `Usage: featurejob reduce <output> --pca <K> [options]

Fits PCA on the features of a finished 'featurejob run' output, without extracting again:
each partition's statistics (row count, column sums, Gram matrix in float64) are read, or
computed from its shard in worker processes, merged one file at a time, and the top K
eigenvectors of the covariance found exactly. Then every shard is projected and written as
pca/part-NNNNN.parquet (path, label, features: K float32), the model as pca/model.json
(mean, components, explained variance and ratio, rows), and manifest.json gains a pca block.

Options:
      --pca <K>                       number of components, 1 ≤ K ≤ min(rows, dimensions) (required)
      --whiten                        scale each component to unit variance
  -w, --workers <n>                   worker processes (default 1)
  -t, --threads <n>                   threads per worker for the statistics (default: cores / workers)
      --max-attempts <n>              attempts per partition before the reduction fails (default 3)
      --s3-endpoint <url>             S3-compatible endpoint (AWS_ENDPOINT_URL_S3 also works)
      --region <name>                 S3 region (default: AWS_REGION, else us-east-1)
  -h, --help                          show this help

Exit codes: 0 done, 1 failed, 2 invalid arguments.
`;

export const INSPECT_HELP = `Usage: featurejob inspect <output> [options]

Prints what an output holds: images, rows, failures by code, partitions, and, when PCA has
been fitted, the explained variance and how many components reach 90 %, 95 % and 99 % of
it. Writes pca-scree.svg and pca-scatter.svg (first two components, coloured by label) next
to manifest.json.

Options:
      --no-plots                      print only, write no pictures
      --s3-endpoint <url>             S3-compatible endpoint (AWS_ENDPOINT_URL_S3 also works)
      --region <name>                 S3 region (default: AWS_REGION, else us-east-1)
  -h, --help                          show this help
`;

export const MAIN_HELP = `Usage: featurejob <command> [options]

Commands:
  run <input> --out <output>   extract features from a directory or an S3 prefix
  reduce <output> --pca <K>    fit PCA on an output's features and project them
  inspect <output>             counts, explained variance, scree and scatter plots
  models pull vgg16 | list     download, convert and cache the ImageNet weights; list the cache
  demo [--out <dir>]           generate a small sample folder and run on it (random weights)
  operator                     the Kubernetes operator (container entry point)
  executor <task>              one executor task of a FeatureJob: plan, extract, pca-statistics,
                               pca-fit or pca-project (container entry point)

Run 'featurejob <command> --help' for a command's options.
`;
