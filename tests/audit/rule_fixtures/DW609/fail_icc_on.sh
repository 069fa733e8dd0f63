#!/bin/sh
dockerd -H unix:///var/run/docker.sock --icc=true &  # expect: DW609
