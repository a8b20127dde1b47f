# The command-line tool in a container, for colouring an archive on a cluster (README: "On many
# machines"). Two stages: the build with Rust's official image, then a slim Debian with only
# the binary (the default model is built into it) and the Vulkan loader for `train --device gpu`.
#   docker build -t burn-colorize .
#   docker run --rm -v "$PWD/photos:/in" -v "$PWD/colour:/out" burn-colorize colorize /in -o /out
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --features native --bin burn-colorize

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends libvulkan1 \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/target/release/burn-colorize /usr/local/bin/burn-colorize
USER 1000:1000
ENTRYPOINT ["burn-colorize"]
