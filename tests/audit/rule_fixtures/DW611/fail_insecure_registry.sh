#!/bin/sh
dockerd -H unix:///var/run/docker.sock --insecure-registry 10.0.0.5:5000 &  # expect: DW611
dockerd -H unix:///var/run/docker.sock --registry-mirror=http://mirror.internal &  # expect: DW611
