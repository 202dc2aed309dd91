# The meshdoctor image: one static binary on distroless (no shell, nonroot).
#   docker build -t meshdoctor --build-arg VERSION=v0.1.0 .
#   docker run --rm -v "$PWD:/work" -w /work meshdoctor meshdoctor analyze k8s/
# As the debug container `meshdoctor probe` is meant to run from, next to
# the client's app in its pod:
#   kubectl debug -it POD --image=IMAGE --target=APP -- meshdoctor probe otel-collector.monitoring:4317
# The image sets no ENTRYPOINT, so the command after -- runs as given.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X github.com/meshdoctor/meshdoctor/internal/cli.version=${VERSION}" \
      -o /out/meshdoctor ./cmd/meshdoctor

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/meshdoctor /usr/local/bin/meshdoctor
USER nonroot:nonroot
CMD ["meshdoctor", "--help"]
