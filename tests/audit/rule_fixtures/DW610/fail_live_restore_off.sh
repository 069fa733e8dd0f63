#!/bin/sh
dockerd -H unix:///var/run/docker.sock --live-restore=false &  # expect: DW610
