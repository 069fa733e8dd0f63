# syntax=docker/dockerfile:1
# dockward's own image:  docker build -t dockward .
#   docker run --rm -v "$PWD:/work:ro" dockward scan .
#   docker run --rm -v /var/run/docker.sock:/var/run/docker.sock:ro dockward audit
#     (an audit needs the Engine API: mount the socket only for that, it is root on the host)
#
# The base image is pinned by digest; refresh both stages together with
#   docker buildx imagetools inspect python:3.11-slim-bookworm
ARG PYTHON_IMAGE=python:3.11-slim-bookworm@sha256:2e32f7d302adc1c37428355c1e646897c0c53f4fd60b6a551245fb90ee129f91

# -- build: a virtual environment with dockward and its dependencies -----------------------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
RUN python -m venv /opt/dockward
COPY pyproject.toml README.md ./
COPY src ./src
RUN /opt/dockward/bin/pip install --no-compile . \
 && /opt/dockward/bin/python -m compileall -q /opt/dockward/lib

# -- runtime: the venv only, no build tools, an unprivileged user ------------------------
FROM ${PYTHON_IMAGE}
LABEL org.opencontainers.image.title="dockward" \
      org.opencontainers.image.description="Find, explain, fix and block Docker settings that let a container escape to its host or exhaust it." \
      org.opencontainers.image.source="https://github.com/dockward/dockward" \
      org.opencontainers.image.licenses="Apache-2.0"
RUN groupadd --system --gid 10001 dockward \
 && useradd --system --uid 10001 --gid dockward --no-create-home --shell /usr/sbin/nologin dockward
COPY --from=build /opt/dockward /opt/dockward
ENV PATH=/opt/dockward/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
WORKDIR /work
USER 10001:10001
ENTRYPOINT ["dockward"]
CMD ["scan", "."]
