docker build -f ../../p2/Dockerfile ../../p2
