#!/bin/sh
docker run -d myapp
docker run --privileged other:1.0
docker run -v /:/host myapp:latest
