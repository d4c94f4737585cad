# syntax=docker/dockerfile:1.7
#
# The featurejob image: `featurejob operator` (the operator Deployment) and `featurejob
# executor plan|extract` (the pods the operator starts) from one image.
#
#   docker build -t featurejob:0.1.0 .
#   docker build -t featurejob:0.1.0-imagenet --build-arg WEIGHTS=imagenet .
#
# WEIGHTS=imagenet bakes the VGG16 ImageNet model in (+530 MB) under /opt/featurejob/models, a
# read-only model cache (FEATUREJOB_MODEL_DIRS) where `spec.model.weights: imagenet` finds it;
# /opt/featurejob/models/vgg16-imagenet.onnx names the same file. Without it each planner and
# executor pod downloads and converts the weights itself.
#
# The install steps are scripts in .ci/image/ so that a test runs the very same commands
# (test/integration/image/production-install.test.ts; no container engine needed).
# Runs as uid 65532 with a read-only root file system: everything written at run time goes
# to /scratch, which the pods mount as an emptyDir.

# The Node.js LTS line of package.json's engines and of CI (.ci/install-node.sh).
ARG NODE_IMAGE=node:24-bookworm-slim
ARG WEIGHTS=none

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json tsconfig.json ./
COPY .ci/image/ .ci/image/
COPY crds/ crds/
COPY executor/ executor/
COPY operator/ operator/
RUN --mount=type=cache,target=/root/.npm .ci/image/build-dist.sh

FROM ${NODE_IMAGE} AS production
ENV NODE_ENV=production
WORKDIR /opt/featurejob
COPY package.json package-lock.json ./
COPY .ci/image/ .ci/image/
COPY --from=build /src/dist/executor/ dist/executor/
COPY --from=build /src/dist/operator/ dist/operator/
COPY --from=build /src/dist/crds/ dist/crds/
RUN --mount=type=cache,target=/root/.npm .ci/image/install-production.sh /opt/featurejob /usr/local/bin
# Writable for `docker run` without a volume; in the pods an emptyDir is mounted over it.
RUN mkdir -p /scratch && chown 65532:65532 /scratch

# The two values of WEIGHTS; BuildKit builds only the stage that the final FROM names.
FROM production AS weights-none
RUN mkdir -p /opt/featurejob/models

FROM production AS weights-imagenet
RUN .ci/image/pull-models.sh /opt/featurejob/models

FROM weights-${WEIGHTS} AS final
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="featurejob" \
      org.opencontainers.image.description="VGG16 image feature extraction: the FeatureJob operator and its executors" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0"
# Writable paths all under /scratch (an emptyDir in the pods): the root file system is read-only.
ENV HOME=/scratch \
    TMPDIR=/scratch \
    FEATUREJOB_CACHE=/scratch/cache \
    FEATUREJOB_MODEL_DIRS=/opt/featurejob/models
# The distroless "nonroot" uid/gid that the operator's pod specs require (runAsNonRoot).
USER 65532:65532
WORKDIR /scratch
ENTRYPOINT ["featurejob"]
CMD ["--help"]
