#!/usr/bin/env bash
# The image's health check: exits 0 when the service's liveness check (/q/health/live) answers
# 200 on this container's loopback, 1 otherwise. Plain bash (/dev/tcp), since the image has no
# HTTP client. The port is QUARKUS_HTTP_PORT (default 8080). Liveness, not readiness: readiness
# also goes DOWN while a destination cluster does not answer, which a restart would not cure.
set -u
port="${QUARKUS_HTTP_PORT:-8080}"
exec 3<>"/dev/tcp/127.0.0.1/${port}" || exit 1
printf 'GET /q/health/live HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' >&3
IFS= read -r -t 5 status <&3 || exit 1
case "${status}" in
    "HTTP/1.1 200"*) exit 0 ;;
    *) exit 1 ;;
esac
