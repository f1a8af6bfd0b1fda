import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { accessLog } from "./access-log.ts";
import { bearerAuth } from "./auth.ts";
import type { AppEnv } from "./context.ts";
import { AppError, errorBody, handleError, handleNotFound } from "./errors.ts";
import { type FaultSettings, faultActive, faultInjection } from "./fault.ts";
import { mountHealth, type ReadinessCheck } from "./health.ts";
import type { Logger } from "./logger.ts";
import { type HttpMetrics, httpMetrics } from "./metrics.ts";
import { requestContext } from "./request-id.ts";
import { csrfProtection, securityHeaders } from "./security.ts";

export interface ServiceOptions {
  name: string;
  version: string;
  log: Logger;
  authSecret: string;
  /** Present on Node (prom-client); absent on the edge, where `/metrics` says so. */
  metrics?: HttpMetrics;
  readiness: Record<string, ReadinessCheck>;
  /** Origins besides the request's own host that may post forms (e.g. PUBLIC_URL's). */
  trustedOrigins?: string[];
  /** Largest request body accepted, in bytes. */
  maxBodyBytes?: number;
  /** The fault switch (FAULT_ERROR_RATE, FAULT_LATENCY_MS) for rollout demos; absent or zero = off. */
  fault?: FaultSettings;
}

export type ServiceApp = OpenAPIHono<AppEnv>;

/**
 * The skeleton every service shares: request id and trace context, JSON access logs, metrics, security
 * headers, CSRF for form posts, body limit, bearer auth, one error shape, health, `/metrics` and
 * `/openapi.json`, and the fault switch when it is on. Services add their routes to the returned app.
 */
export function createServiceApp(options: ServiceOptions): ServiceApp {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const issues = result.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
        const first = issues[0];
        throw new AppError(
          400,
          "invalid_request",
          first ? `${first.path || "body"}: ${first.message}` : "Invalid request",
          issues,
        );
      }
    },
  });
  app.onError(handleError);
  app.notFound(handleNotFound);

  app.use(requestContext(options.log));
  if (options.metrics) app.use(httpMetrics(options.metrics));
  app.use(accessLog());
  app.use(securityHeaders());
  // After metrics and the access log, so injected failures are counted and logged like real ones.
  if (faultActive(options.fault)) app.use(faultInjection(options.fault));
  app.use(csrfProtection(options.trustedOrigins));
  const limitBody = bodyLimit({
    maxSize: options.maxBodyBytes ?? 64 * 1024,
    onError: (c) => c.json(errorBody("payload_too_large", "Request body is too large"), 413),
  });
  // GET and HEAD carry no body; skipping them keeps the Node adapter from materializing a full Request.
  app.use((c, next) => (c.req.method === "GET" || c.req.method === "HEAD" ? next() : limitBody(c, next)));
  app.use(bearerAuth(options.authSecret));

  mountHealth(app, options.name, options.readiness);
  app.get("/metrics", async (c) => {
    if (!options.metrics) {
      return c.json(errorBody("not_available", "Prometheus metrics are exposed by the Node runtime"), 404);
    }
    const { contentType, body } = await options.metrics.render();
    return c.body(body, 200, { "Content-Type": contentType });
  });
  for (const [path, summary] of [
    ["/healthz", "Liveness: the process answers"],
    ["/readyz", "Readiness: every dependency answers (503 naming the ones that do not)"],
    ["/metrics", "Prometheus text exposition (Node runtime)"],
  ] as const) {
    app.openAPIRegistry.registerPath({
      method: "get",
      path,
      summary,
      responses: { 200: { description: "OK" } },
    });
  }
  app.get("/openapi.json", (c) =>
    c.json(
      app.getOpenAPI31Document({
        openapi: "3.1.0",
        info: { title: `canary ${options.name}`, version: options.version },
      }),
    ),
  );
  return app;
}
