# The backbone service. better-sqlite3 is compiled here when no prebuilt binary is reachable.
FROM node:20-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY tsconfig.json ./
COPY schemas ./schemas
COPY src ./src
ENV NODE_ENV=production DATA_DIR=/data PORT=3000
VOLUME /data
EXPOSE 3000
USER node
# node itself (not npm) is PID 1's child, so SIGTERM reaches it and shutdown is graceful
CMD ["node", "-r", "ts-node/register/transpile-only", "src/main.ts"]
