# Trainer image: trains a model on the data mounted at /data and writes the
# new version folder under the models volume at /models.
#
#   docker build -f trainer.Dockerfile -t intent-trainer .
#   docker run --rm --user "$(id -u):$(id -g)" \
#     -v "$PWD/models:/models" -v "$PWD/data:/data" intent-trainer
#   docker run --rm ... intent-trainer train --data /data --out /models   # the real set
#
# `make train` does this when a Docker engine answers. The base images are
# arguments so that `make docker-check` can build this file with local
# stand-ins where none can be pulled; the defaults are the real public images.
ARG GO_IMAGE=golang:1.26.8-bookworm
ARG RUNTIME_IMAGE=gcr.io/distroless/static-debian12:nonroot

FROM ${GO_IMAGE} AS build
WORKDIR /src
ENV CGO_ENABLED=0 GOFLAGS=-buildvcs=false GOCACHE=/root/.cache/go-build
# Modules first, in their own layer: it is rebuilt only when go.mod or go.sum change.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN go build -trimpath -ldflags "-s -w -X intent/model.Version=${VERSION}" -o /out/trainer ./trainer
# The runtime image has no shell: lay out its folders here. The sample set
# ships in the image so that the default command works without a data volume.
RUN mkdir -p /rootfs/models /rootfs/data /rootfs/tmp \
 && chmod 1777 /rootfs/tmp \
 && if [ -d data/sample ]; then cp -R data/sample /rootfs/data/sample; fi

FROM ${RUNTIME_IMAGE}
COPY --from=build --chown=65532:65532 /rootfs/ /
COPY --from=build /out/trainer /trainer
# distroless "nonroot" is 65532; numeric so that scratch works too.
USER 65532:65532
WORKDIR /models
VOLUME ["/models"]
ENTRYPOINT ["/trainer"]
CMD ["train", "--data", "/data/sample", "--out", "/models"]
