# shoprenter-cashman-sync: Shoprenter orders -> Cashman invoice drafts.
#
#   docker compose up -d                      # the daemon, see docker-compose.yml
#   docker compose run --rm sync demo         # any command: the ENTRYPOINT takes it as argument
#
# Two stages on the official glibc Node 20 image: `build` compiles better-sqlite3 from source and
# the TypeScript, then drops dev dependencies; the runtime stage gets only production
# node_modules, dist/, package.json (it carries "type": "module") and the example config.

FROM node:20-bookworm-slim AS build

# Where better-sqlite3's prebuilt binary cannot be downloaded (offline or proxied builds, other
# architectures), node-gyp compiles it with these, against the headers the node image ships under
# /usr/local instead of downloading them.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
ENV npm_config_nodedir=/usr/local

WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund
# The addon's compile leftovers (SQLite's sources, objects and makefiles, ~28 MB) are not needed
# to run: only build/Release/better_sqlite3.node is loaded.
RUN cd node_modules/better-sqlite3 \
 && rm -rf deps src \
 && find build -depth -mindepth 1 ! -path build/Release ! -path build/Release/better_sqlite3.node -delete


FROM node:20-bookworm-slim

ARG VERSION=0.1.0
ARG SOURCE_URL=""
LABEL org.opencontainers.image.title="shoprenter-cashman-sync" \
      org.opencontainers.image.description="Turns every finalized Shoprenter order into a Cashman (CashMan-Fx) invoice draft, with the buyer kept as a Cashman partner." \
      org.opencontainers.image.source="${SOURCE_URL}" \
      org.opencontainers.image.licenses="UNLICENSED" \
      org.opencontainers.image.version="${VERSION}"

# tini forwards SIGTERM to node and reaps zombies. TINI_SUBREAPER keeps it quiet and working when
# another init already is PID 1 (compose `init: true`, `docker run --init`).
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*

# Node sizes its heap for the host's memory and grows it lazily; these caps keep the daemon's peak
# RSS near 110 MB on a 10,000-order backfill (BENCHMARKS.md). Its live heap is about 20 MB. One V8
# worker thread instead of one per core: about 9 MB less at peak, and a small VPS has few cores.
ENV NODE_ENV=production \
    NODE_OPTIONS="--max-semi-space-size=2 --max-old-space-size=128 --v8-pool-size=1" \
    TINI_SUBREAPER=1 \
    CONFIG_PATH=/app/config/config.yaml \
    DATABASE_PATH=/data/sync.db

WORKDIR /app
# Application files stay root-owned: the process (user node) can read but not change them.
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY config/config.example.yaml ./config/

RUN mkdir -p /data \
 && chown node:node /data
VOLUME ["/data"]

USER node

# `health` exits 0 when the last successful cycle is recent. Three failed checks a minute apart
# before "unhealthy" also give the first cycle its time (no --start-period: dockerfilelint 1.8
# misreads that option as invalid).
HEALTHCHECK --interval=60s --timeout=15s --retries=3 \
  CMD ["node", "dist/main.js", "health"]

ENTRYPOINT ["tini", "--", "node", "dist/main.js"]
CMD ["run"]
