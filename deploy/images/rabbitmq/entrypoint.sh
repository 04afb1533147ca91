#!/bin/sh
set -eu
cat > "$RABBITMQ_CONFIG_FILE" <<CONF
default_user = ${RABBITMQ_DEFAULT_USER:-guest}
default_pass = ${RABBITMQ_DEFAULT_PASS:-guest}
loopback_users = none
CONF
# Debian's /usr/sbin wrapper would send the logs to /var/log: run the server itself.
exec /usr/lib/rabbitmq/bin/rabbitmq-server
