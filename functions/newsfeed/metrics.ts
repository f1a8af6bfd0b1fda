/**
 * What Newsfeed's ingestion reports: feed checks by result and articles stored. Node registers them in the
 * service's prom-client registry; the edge reports none.
 */
import { Counter, type Registry } from "prom-client";
import type { CheckOutcome } from "./ingest.ts";

export interface IngestMetrics {
  checked(outcome: CheckOutcome): void;
}

export function prometheusIngestMetrics(registry: Registry): IngestMetrics {
  const checks = new Counter({
    name: "newsfeed_feed_checks_total",
    help: "Feed checks, by result (updated, not_modified, failed).",
    labelNames: ["result"] as const,
    registers: [registry],
  });
  const articles = new Counter({
    name: "newsfeed_articles_stored_total",
    help: "Articles written by feed checks, by kind (inserted, updated).",
    labelNames: ["kind"] as const,
    registers: [registry],
  });
  return {
    checked(outcome) {
      checks.inc({ result: outcome.result });
      if (outcome.inserted > 0) articles.inc({ kind: "inserted" }, outcome.inserted);
      if (outcome.updated > 0) articles.inc({ kind: "updated" }, outcome.updated);
    },
  };
}
