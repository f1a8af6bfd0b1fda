# One image for every service: SERVICE=tinyurl|newsfeed|docs picks the one the container runs.
#   docker build -t ghcr.io/canary-platform/canary:dev .
#   docker run --rm -p 5000:5000 -e SERVICE=tinyurl -e AUTH_SECRET=... ghcr.io/canary-platform/canary:dev
# scripts/dockerfile.test.ts checks this file statically (no Docker engine on the dev machines).

# Debian slim (glibc), not Alpine (musl): @libsql/client loads a prebuilt native addon per libc, and the
# glibc build (@libsql/linux-x64-gnu, linux-arm64-gnu) is the one its maintainers ship and test first.
# Every stage uses the same image so the native addon installed below matches the Node that loads it.
ARG NODE_IMAGE=node:20-bookworm-slim

# deps: every dependency, dev ones included (esbuild, tsx) because the build needs them.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts: esbuild finds its platform binary without its postinstall, and nothing else here
# needs one (workerd/sharp come with wrangler, unused by the build).
RUN npm ci --ignore-scripts --no-audit --no-fund

# build: bundles functions/start.ts into dist/start.mjs (+ .map) with scripts/build-server.ts.
FROM deps AS build
COPY tsconfig.json ./
COPY functions ./functions
COPY scripts/build-server.ts ./scripts/build-server.ts
RUN npm run build

# runtime: production dependencies only, the bundle, a non-root user.
FROM ${NODE_IMAGE} AS runtime
ARG SERVICE=tinyurl
# SERVICE selects the service; set SERVICE= (empty) and SERVICES=a,b to run several in one container.
# DATA_DIR is /data: with a read-only root filesystem, mount a writable volume there (an emptyDir, or a
# PVC to keep the embedded libSQL files); with DATABASE_URL set (the cluster's libSQL server) nothing is
# written to disk at all.
ENV NODE_ENV=production \
    SERVICE=${SERVICE} \
    DATA_DIR=/data \
    NODE_OPTIONS=--enable-source-maps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
    && npm cache clean --force
COPY --from=build /app/dist ./dist
# A numeric UID/GID so Kubernetes' runAsNonRoot can verify it; the code stays root-owned (read-only to
# the app), only /data belongs to the app user.
RUN groupadd --system --gid 10001 canary \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin canary \
    && mkdir -p /data \
    && chown 10001:10001 /data
USER 10001:10001
# tinyurl, newsfeed, docs. Kubernetes probes /healthz and /readyz itself, so no HEALTHCHECK here (it would
# need the port of whichever service SERVICE picked).
EXPOSE 5000 5001 5002
CMD ["node", "dist/start.mjs"]
