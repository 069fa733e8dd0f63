#!/bin/sh
# The `docker run` lines of the seed guide "Hardening docker", one per demo.
# Every one of them is insecure in the way the guide explains; `dockward scan` says how.

# Namespaces: a plain container, then one that joins the host's PID namespace.
docker run --interactive --tty --rm alpine:3.20.0 sleep 25 &
docker run --interactive --tty --rm --pid=host alpine:3.20.0 ps aux

# Capabilities: drop everything, then add back one dangerous capability.
docker run --interactive --tty --rm --cap-drop=ALL --cap-add=CAP_NET_ADMIN alpine:3.20.0 sh

# "I don't want permission issues": a privileged container is root on the host.
docker run -d --privileged --name debug alpine:3.20.0 sleep infinity

# Docker socket exposure: from inside, `docker run -v /:/psm ...` owns the host.
docker run --interactive --tty --rm --volume "/var/run/docker.sock:/var/run/docker.sock" alpine:3.20.0 sh

# Resource limits: memory and CPU caps alone do not stop a fork bomb.
docker run --interactive --tty --rm --memory 256m --cpus 4 alpine:3.20.0 sh

# Restart policies: bounded (the guide's advice) vs endless.
docker run -d --restart on-failure:5 --memory 256m --cpus 1 --pids-limit 100 alpine:3.20.0 sleep 1
docker run -d --restart always alpine:3.20.0 sleep 1

# The host's network namespace makes LAN devices visible to the container.
docker run -d --network=host alpine:3.20.0 sleep infinity

# The daemon opened over TCP without TLS: anyone who reaches port 2375 is root.
dockerd -H unix:///var/run/docker.sock -H tcp://0.0.0.0:2375 &
