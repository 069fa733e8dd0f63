#!/bin/sh
dockerd -H unix:///var/run/docker.sock --seccomp-profile unconfined &  # expect: DW606
dockerd -H unix:///var/run/docker.sock --seccomp-profile=unconfined &  # expect: DW606
