#!/bin/sh
dockerd -H unix:///var/run/docker.sock --userns-remap=default &
dockerd -H unix:///var/run/docker.sock &
