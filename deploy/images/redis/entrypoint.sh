#!/bin/sh
# As the official image does: options alone are redis-server's, and no protected mode.
set -eu
case "${1:-}" in -*) set -- redis-server "$@" ;; esac
if [ "$1" = redis-server ]; then
    shift
    set -- redis-server --protected-mode no "$@"
fi
exec "$@"
