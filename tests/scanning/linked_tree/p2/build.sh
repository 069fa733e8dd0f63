#!/bin/sh
docker build -t myapp --build-arg TOKEN=not-a-real-token-42 .
docker build -t other:1.0 -f Dockerfile.other .
