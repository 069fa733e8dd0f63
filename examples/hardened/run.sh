#!/bin/sh
# The seed guide's demos, the hardened way.
docker run --rm --cap-drop=ALL --security-opt no-new-privileges --read-only \
  --user 10001:10001 --memory 256m --cpus 1 --pids-limit 100 alpine:3.20.0 sleep 25

docker run -d --restart on-failure:5 --cap-drop=ALL --security-opt=no-new-privileges:true \
  --read-only --user 10001 --memory 256m --cpus 1 --pids-limit 100 \
  -p 127.0.0.1:8080:8080 alpine:3.20.0 sleep 1

# The daemon stays on its unix socket; remote access goes over SSH.
DOCKER_HOST=ssh://admin@build-host docker ps
