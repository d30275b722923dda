# Multi-stage build: the wasm UI and the server in one Rust image, then a small runtime.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN rustup target add wasm32-unknown-unknown \
 && cargo xtask build \
 && cargo build --release --package egress-console

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/target/release/egress-console /usr/local/bin/egress-console
COPY --from=build /src/target/site /usr/local/bin/site
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/egress-console"]
CMD ["serve", "--listen=0.0.0.0:8080"]
