#!/bin/sh
dockerd -H unix:///var/run/docker.sock --no-new-privileges=false &  # expect: DW607
