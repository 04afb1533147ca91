# One image for every process of Tourism Booking; the command picks the process
# (see docs/deploy.md). The default command is the web server.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- builder: every dependency installed into a virtualenv ------------------------------
FROM ${PYTHON_IMAGE} AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY requirements/ /tmp/requirements/
RUN pip install --no-cache-dir -r /tmp/requirements/prod.txt dumb-init==1.2.5.post1

# --- runtime: the code, compiled, with static files collected --------------------------
FROM ${PYTHON_IMAGE} AS runtime

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=config.settings.monolith \
    DJANGO_STATIC_ROOT=/app/staticfiles \
    PORT=8000 \
    GUNICORN_WORKER_TMP_DIR=/dev/shm \
    FORWARDED_ALLOW_IPS=*

RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --no-create-home --home-dir /nonexistent app

COPY --from=builder /opt/venv /opt/venv
WORKDIR /app
COPY manage.py ./
COPY config/ config/
COPY kernel/ kernel/
COPY apps/ apps/

# Bytecode is compiled here: at run time the root filesystem is read-only.
# collectstatic needs production-shaped settings; the key below exists only in this step.
RUN python -m compileall -q /app \
    && DJANGO_DEBUG=0 DJANGO_SECRET_KEY=build-only-not-a-secret DJANGO_ALLOWED_HOSTS=build \
       python manage.py collectstatic --no-input --verbosity 0

USER 10001:10001
EXPOSE 8000

# dumb-init is PID 1: it forwards SIGTERM to the process and reaps zombies, so every
# command (gunicorn, celery, manage.py commands) stops cleanly.
ENTRYPOINT ["dumb-init", "--"]
CMD ["gunicorn", "-c", "config/gunicorn.py", "config.wsgi"]
