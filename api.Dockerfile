# API image: serves the newest model version found in the models volume at
# /models on port 4002.
#
#   docker build -f api.Dockerfile -t intent-api .
#   docker run --rm -p 4002:4002 -v "$PWD/models:/models" intent-api
#   curl -G localhost:4002/intent --data-urlencode "query=risques poisson cru pendant la grossesse ?"
#
# `make api` does this when a Docker engine answers. The base images are
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
RUN go build -trimpath -ldflags "-s -w -X intent/model.Version=${VERSION}" -o /out/api ./api
# The runtime image has no shell: lay out its folders here.
RUN mkdir -p /rootfs/models /rootfs/tmp && chmod 1777 /rootfs/tmp

FROM ${RUNTIME_IMAGE}
COPY --from=build --chown=65532:65532 /rootfs/ /
COPY --from=build /out/api /api
# distroless "nonroot" is 65532; numeric so that scratch works too.
USER 65532:65532
# The port comes from PORT (not from an --addr in CMD) so that the server and
# the HEALTHCHECK agree when it is changed: docker run -e PORT=8080 -p 8080:8080.
ENV PORT=4002 MODELS_DIR=/models
EXPOSE 4002
VOLUME ["/models"]
# The binary checks itself (GET 127.0.0.1:$PORT/healthz): no curl needed.
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 CMD ["/api", "--check"]
ENTRYPOINT ["/api"]
CMD ["--models", "/models"]
