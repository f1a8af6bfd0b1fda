/**
 * One rollout on the console: its head (phase, versions), actions, progress (canary steps or blue-green
 * services, weight, replicas), traffic charts, analysis runs with their measurements, and recent events.
 * The card's frame and buttons are built once (a click is never lost to a redraw); its sections are
 * rebuilt on each status. Data only reaches the DOM as text and attribute values.
 */
import { el, showError } from "../../../../functions/docs/client/browser.ts";
import type { AnalysisRunStatus, RolloutStatus } from "../../types.ts";
import { availableActions, CONTROL_ACTIONS, type ControlAction } from "../actions.ts";
import { CHARTS, chartFigure, drawChart } from "./chart.ts";
import {
  blueGreenServices,
  clockTime,
  elapsed,
  formatMs,
  formatPercent,
  formatRps,
  stepState,
} from "./format.ts";
import type { TrafficHistory } from "./history.ts";

const BUTTON_LABELS: Record<ControlAction, string> = {
  promote: "Promote",
  promoteFull: "Promote full",
  abort: "Abort",
  retry: "Retry",
};

const section = (title: string, className: string) =>
  el("section", { class: `part ${className}` }, [el("h3", { text: title })]);

export class RolloutCard {
  readonly root: HTMLElement;
  private readonly buttons = new Map<ControlAction, HTMLButtonElement>();
  private readonly head = el("div", { class: "rollout-head" });
  private readonly message = el("p", { class: "message" });
  private readonly error = el("p", { class: "error", role: "alert", hidden: true });
  private readonly progress = el("div", { class: "progress-body" });
  private readonly replicas = el("div", { class: "replicas-body" });
  private readonly charts = CHARTS.map((spec) => ({ spec, figure: chartFigure(spec) }));
  private readonly analysis = el("div", { class: "analysis-body" });
  private readonly events = el("ol", { class: "events" });
  private busy = false;
  private status: RolloutStatus | null = null;

  constructor(
    readonly name: string,
    onAction: (card: RolloutCard, action: ControlAction) => void,
  ) {
    const toolbar = el("div", { class: "toolbar actions" });
    for (const action of CONTROL_ACTIONS) {
      const button = el("button", {
        type: "button",
        class: action === "abort" ? "danger" : action === "promote" ? "primary" : undefined,
        "data-action": action,
        text: BUTTON_LABELS[action],
        disabled: true,
      }) as unknown as HTMLButtonElement;
      button.addEventListener("click", () => onAction(this, action));
      this.buttons.set(action, button);
      toolbar.appendChild(button);
    }
    const progress = section("Progress", "progress");
    progress.appendChild(this.progress);
    const replicas = section("Replicas", "replicas");
    replicas.appendChild(this.replicas);
    const charts = section("Traffic per version", "traffic");
    const chartRow = el("div", { class: "charts" });
    for (const { figure } of this.charts) chartRow.appendChild(figure);
    charts.appendChild(chartRow);
    const analysis = section("Analysis runs", "analysis");
    analysis.appendChild(this.analysis);
    const events = section("Events", "events-part");
    events.appendChild(this.events);
    this.root = el("article", { class: "card rollout", "data-rollout": name }, [
      this.head,
      this.message,
      toolbar,
      this.error,
      el("div", { class: "columns" }, [progress, replicas]),
      charts,
      analysis,
      events,
    ]);
  }

  setBusy(busy: boolean): void {
    this.busy = busy;
    this.root.setAttribute("aria-busy", String(busy));
    this.updateButtons();
  }

  showError(error: unknown): void {
    showError(this.error, error);
  }

  update(status: RolloutStatus, history: TrafficHistory): void {
    this.status = status;
    this.head.replaceChildren(
      el("h2", { text: status.name }),
      el("span", {
        class: "phase",
        "data-phase": status.phase,
        text: status.aborted ? `${status.phase} (aborted)` : status.phase,
      }),
      el("span", { class: "badge", text: status.strategy === "canary" ? "canary" : "blue-green" }),
      el("span", { class: "meta", text: `service ${status.service}` }),
      el("span", { class: "versions" }, [
        el("span", { class: "version role-stable", text: status.stableVersion }),
        " → ",
        el("span", { class: "version role-new", text: status.newVersion }),
      ]),
    );
    const took = (status.endedAt ?? Date.now()) - status.startedAt;
    const scale = status.timeScale === 1 ? "" : ` · time ×${status.timeScale}`;
    this.message.textContent = `${status.message || "—"} (${status.endedAt ? "took" : "running for"} ${elapsed(Math.max(0, took))}${scale})`;
    this.progress.replaceChildren(
      ...(status.strategy === "canary" ? canaryProgress(status) : blueGreenProgress(status)),
    );
    this.replicas.replaceChildren(replicaTable(status), trafficTable(status));
    for (const { spec, figure } of this.charts) drawChart(figure, spec, history);
    this.analysis.replaceChildren(
      ...(status.analysisRuns.length === 0
        ? [el("p", { class: "empty", text: "No analysis has run yet." })]
        : status.analysisRuns.map(analysisRun)),
    );
    this.events.replaceChildren(
      ...status.events
        .slice(-8)
        .reverse()
        .map((e) => el("li", {}, [el("time", { text: clockTime(e.at) }), ` ${e.message}`])),
    );
    this.updateButtons();
  }

  private updateButtons(): void {
    const allowed = this.status ? availableActions(this.status) : null;
    for (const [action, button] of this.buttons) button.disabled = this.busy || !allowed?.[action];
  }
}

function weightBar(status: RolloutStatus, label: string): HTMLElement {
  return el("div", { class: "weight" }, [
    el("label", { text: label }),
    el("progress", { class: "weight-bar", max: 100, value: status.weight, "aria-label": label }),
    el("span", { class: "weight-value", text: `${status.weight}%` }),
  ]);
}

function canaryProgress(status: RolloutStatus): HTMLElement[] {
  const steps = el(
    "ol",
    { class: "steps", start: 0 },
    status.steps.map((step) => {
      const state = stepState(step.index, status);
      return el("li", {
        class: `step ${state}`,
        "aria-current": state === "current" ? "step" : undefined,
        "data-index": step.index,
        text: step.description,
      });
    }),
  );
  return [
    weightBar(status, `Weight to ${status.newVersion}`),
    status.steps.length > 0 ? steps : el("p", { class: "empty", text: "No steps: a full promotion." }),
  ];
}

function blueGreenProgress(status: RolloutStatus): HTMLElement[] {
  const services = blueGreenServices(status);
  const port = (n?: number) => (n ? ` (127.0.0.1:${n})` : "");
  return [
    weightBar(status, "Active on the new version"),
    el("dl", { class: "services" }, [
      el("dt", { text: "Active" }),
      el("dd", { class: "active-version", text: `${services.active}${port(status.ports.active)}` }),
      el("dt", { text: "Preview" }),
      el("dd", { class: "preview-version", text: `${services.preview ?? "—"}${port(status.ports.preview)}` }),
    ]),
  ];
}

function table(headers: string[], rows: (string | HTMLElement)[][], className: string): HTMLElement {
  return el("table", { class: className }, [
    el("thead", {}, [
      el(
        "tr",
        {},
        headers.map((h) => el("th", { scope: "col", text: h })),
      ),
    ]),
    el(
      "tbody",
      {},
      rows.map((cells) =>
        el(
          "tr",
          {},
          cells.map((c) => (typeof c === "string" ? el("td", { text: c }) : c)),
        ),
      ),
    ),
  ]);
}

function replicaTable(status: RolloutStatus): HTMLElement {
  return table(
    ["Role", "Version", "Ready"],
    status.replicas.map((r) => [
      el("td", { class: `role-${r.role}`, text: r.role }),
      r.version,
      `${r.ready}/${r.desired}`,
    ]),
    "replica-table",
  );
}

function trafficTable(status: RolloutStatus): HTMLElement {
  return table(
    ["Version", "Rate", "Errors", "p95", "Requests"],
    status.traffic.map((t) => [
      el("td", { class: `role-${t.role}`, text: t.version }),
      formatRps(t.rps),
      formatPercent(t.errorRate),
      formatMs(t.p95Ms),
      `${t.requests} (${t.errors} failed)`,
    ]),
    "traffic-table",
  );
}

function analysisRun(run: AnalysisRunStatus): HTMLElement {
  const node = el("div", { class: "run", "data-run": run.id }, [
    el("h4", {}, [
      `${run.id} · ${run.kind} · ${run.templates.join(", ")} `,
      el("span", { class: "phase", "data-phase": run.phase, text: run.phase }),
    ]),
  ]);
  for (const metric of run.metrics) {
    const counts = `${metric.successful} ok, ${metric.failed} failed, ${metric.inconclusive} inconclusive, ${metric.error} errors`;
    node.appendChild(
      el("p", { class: "metric" }, [
        el("strong", { text: metric.name }),
        " ",
        el("span", { class: "phase", "data-phase": metric.phase, text: metric.phase }),
        ` ${counts}${metric.message ? ` · ${metric.message}` : ""}`,
      ]),
    );
    node.appendChild(
      table(
        ["#", "Phase", "Value", "Time", "Message"],
        metric.measurements.map((m, i) => [
          String(i + 1),
          el("td", { class: "phase", "data-phase": m.phase, text: m.phase }),
          m.value ?? "—",
          clockTime(m.finishedAt),
          m.message ?? "",
        ]),
        "measurements",
      ),
    );
  }
  return node;
}
