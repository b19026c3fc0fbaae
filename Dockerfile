# One build for every TypeScript app; `--target orchestrator` or `--target agent` picks the image.
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json turbo.json tsconfig.base.json ./
COPY proto ./proto
COPY packages ./packages
COPY apps ./apps
RUN npm ci --no-audit --no-fund && TURBO_TELEMETRY_DISABLED=1 npx turbo run build \
 && npm prune --omit=dev

FROM node:20-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /src /app

FROM runtime AS orchestrator
EXPOSE 8080 50051 50052
# Owned by node so the volumes docker-compose mounts here are writable by it.
RUN mkdir -p /var/lib/physwatch/pki /var/lib/physwatch/enroll && chown -R node:node /var/lib/physwatch
USER node
CMD ["node", "apps/orchestrator/dist/main.js"]

FROM runtime AS agent
# The simulated backend needs nothing else; the kernel backend needs the host's /dev/physwatch.
CMD ["node", "apps/agent/dist/main.js", "--config", "/etc/physwatch/agent.json"]
