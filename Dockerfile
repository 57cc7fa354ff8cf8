# syntax=docker/dockerfile:1
# One image for every role: `serve` (API), `worker`, `migrate` (see docs/deployment.md).
# The server runs its TypeScript through tsx (a runtime dependency), as `npm start` does:
# the sources import each other with .ts extensions, so there is no separate compile step.

ARG NODE_IMAGE=node:20-bookworm-slim

# --- build: every dependency, then the web app (Vite) into web/dist -----------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/client/package.json packages/client/
COPY web/package.json web/
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY packages ./packages
COPY web ./web
RUN NODE_ENV=production npm run build -w web

# --- runtime: production dependencies only, non-root, read-only friendly -------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/app/data \
    NPM_CONFIG_UPDATE_NOTIFIER=false
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/client/package.json packages/client/
COPY web/package.json web/
RUN npm ci --omit=dev --no-audit --no-fund \
    && npm cache clean --force \
    && mkdir -p /app/data \
    && chown node:node /app/data
COPY tsconfig.json ./
COPY src ./src
COPY deploy/docker/healthcheck.mjs ./deploy/docker/healthcheck.mjs
COPY --from=build /app/web/dist ./web/dist
# The image's own `node` user (uid 1000); Kubernetes runs it with runAsNonRoot.
USER 1000:1000
EXPOSE 3000 9464
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "deploy/docker/healthcheck.mjs"]
ENTRYPOINT ["node", "--import", "tsx", "--import", "./src/tracing-preload.mjs", "src/main.ts"]
CMD ["serve"]
