#!/bin/sh
# The seed's "Build time secrets" demo (hardening-docker.md).
# 1. A build arg: the secret lands in plain text in `docker history test-arg`.
docker build --file Dockerfile.build-args --tag test-arg --build-arg SECRET="my secret" .
# 2. A build secret: mounted for one RUN only, never written to a layer or the history.
docker build --no-cache --secret id=mysecret,src=$PWD/SECRET --file Dockerfile.secret --tag test-secret .
