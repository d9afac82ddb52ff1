# syntax=docker/dockerfile:1
#
# ImproveWell image: one image runs the web app (default), the Celery worker,
# beat and migrations; docker-compose.yml picks the command.

# --- Front-end packages --------------------------------------------------------
# Node is only needed to fetch the npm packages; it does not ship in the image.
FROM node:20-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
# --omit=dev: axe-core is for the browser tests only. --ignore-scripts: nothing
# we use needs install scripts, so none get to run.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# --- Application ---------------------------------------------------------------
FROM python:3.11-slim AS app

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /home/app --create-home \
       --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first, from pyproject.toml alone, so this layer is reused until
# the dependencies change. The project declares no packages, so `pip install .`
# installs only its dependencies; the source is copied next.
COPY pyproject.toml ./
RUN pip install --no-cache-dir . && rm -rf build ./*.egg-info

COPY . .
COPY --from=assets /build/node_modules ./node_modules

# Build static files into the image (WhiteNoise serves them). Settings refuse to
# load without a SECRET_KEY and an ANONYMITY_KEY, so throwaway keys are given to
# these two commands only; they are not kept in the image's environment.
RUN DEBUG=false \
    SECRET_KEY=build-only-not-secret-used-just-for-collectstatic-0123456789 \
    ANONYMITY_KEY=build-only-not-secret-used-just-for-collectstatic \
    ALLOWED_HOSTS=localhost \
    ENV_FILE=/dev/null \
    sh -c 'python manage.py vendor_assets && python manage.py collectstatic --noinput'

# The code stays owned by root: the app user can read it but not change it.
USER app

EXPOSE 8000

# Liveness only (/healthz touches neither database nor Redis). In production
# ALLOWED_HOSTS will not list 127.0.0.1, so send the first allowed host name.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as r; h = next((x.strip().lstrip('.') for x in os.environ.get('ALLOWED_HOSTS', '').split(',') if x.strip() not in ('', '*')), 'localhost'); r.urlopen(r.Request('http://127.0.0.1:8000/healthz', headers={'Host': h}), timeout=4)"]

# --no-control-socket: gunicorn would otherwise create a control socket under
# $HOME, which nothing here uses.
CMD ["gunicorn", "improvewell.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "5", "--no-control-socket", "--access-logfile", "-"]
