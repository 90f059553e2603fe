# One image for the API and the Discord bot (different commands), on the current Node LTS.
# The dashboard is built with Vite (a dev dependency) in a build stage; the runtime stage keeps
# production dependencies plus the built app (clients/dashboard/dist).
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY prisma ./prisma
COPY scripts ./scripts
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run dashboard:build

FROM node:24-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
COPY prisma ./prisma
COPY scripts ./scripts
RUN npm ci --omit=dev --no-audit --no-fund || npm ci --no-audit --no-fund
COPY . .
COPY --from=build /app/clients/dashboard/dist ./clients/dashboard/dist
COPY --from=build /app/src/generated ./src/generated
ENV NODE_ENV=production
EXPOSE 4000
CMD ["npm", "start"]
