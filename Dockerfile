# The backbone service, in two stages. Build: compilers for better-sqlite3, every dependency, tsc into
# dist/ and the web app by Vite into dist/web/, then the dev dependencies pruned away. Runtime: the same
# Node image (better-sqlite3's native module is built for its ABI), production dependencies, dist/ and
# schemas/ only; no compilers, no TypeScript. Node 24 is the active LTS (supported to April 2028).

FROM node:24-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY schemas ./schemas
COPY src ./src
COPY web ./web
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production DATA_DIR=/data PORT=3000
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# read at run time from dist/app/../../schemas
COPY --from=build /app/schemas ./schemas
# the volume's folder exists and belongs to the user before the user is switched to: a fresh named
# volume takes this owner, and the process can write its SQLite files and keys there
RUN mkdir -p /data && chown node:node /data
VOLUME /data
EXPOSE 3000
USER node
# no curl in the slim image: node asks /health itself (HOST defaults to 0.0.0.0, so loopback answers)
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node itself is PID 1 (not npm, not a shell), so SIGTERM reaches the backbone and shutdown is graceful
CMD ["node", "dist/main/main.js"]
