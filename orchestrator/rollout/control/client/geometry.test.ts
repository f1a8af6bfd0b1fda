import { describe, expect, it } from "vitest";
import { type ChartBox, chartGeometry, niceMax, spanLabel, tickLabel } from "./geometry.ts";

const box: ChartBox = { width: 110, height: 60, left: 10, right: 0, top: 0, bottom: 10 };

describe("chart geometry", () => {
  it("rounds the scale up to 1, 2, 2.5 or 5 times a power of ten", () => {
    expect([0, -1, Number.NaN, 0.7, 1, 1.2, 2.2, 4, 7, 10, 42, 260].map(niceMax)).toEqual([
      1, 1, 1, 1, 1, 2, 2.5, 5, 10, 10, 50, 500,
    ]);
    expect(tickLabel(25, 50)).toBe("25");
    expect(tickLabel(1.25, 2.5)).toBe("1.3");
    expect(tickLabel(0.125, 0.25)).toBe("0.13");
  });

  it("maps times to x and values to y inside the plot, with the scale and ticks", () => {
    const geometry = chartGeometry(
      [
        {
          version: "v1",
          role: "stable",
          points: [
            { at: 0, value: 0 },
            { at: 50, value: 0.04 },
            { at: 100, value: 0.08 },
          ],
        },
      ],
      { t0: 0, t1: 100, scale: 100, minMax: 5, box },
    );
    expect(geometry.yMax).toBe(10);
    expect(geometry.plot).toEqual({ x0: 10, x1: 110, y0: 50, y1: 0 });
    expect(geometry.lines).toEqual([{ version: "v1", role: "stable", d: "M10 50 L60 30 L110 10", last: 8 }]);
    expect(geometry.ticks).toEqual([
      { y: 50, label: "0" },
      { y: 25, label: "5" },
      { y: 0, label: "10" },
    ]);
  });

  it("breaks a line where a value is missing, and keeps the minimum scale for small values", () => {
    const geometry = chartGeometry(
      [
        {
          version: "v2",
          role: "new",
          points: [
            { at: 0, value: 1 },
            { at: 25, value: 1 },
            { at: 50, value: null },
            { at: 75, value: 1 },
            { at: 100, value: 1 },
          ],
        },
        { version: "v3", role: "new", points: [{ at: 100, value: null }] },
      ],
      { t0: 0, t1: 100, minMax: 2, box },
    );
    expect(geometry.yMax).toBe(2);
    expect(geometry.lines[0]!.d).toBe("M10 25 L35 25 M85 25 L110 25");
    expect(geometry.lines[1]).toEqual({ version: "v3", role: "new", d: "", last: null });
  });

  it("copes with a single moment and with nothing at all", () => {
    const geometry = chartGeometry([{ version: "v1", role: "stable", points: [{ at: 5, value: 3 }] }], {
      t0: 5,
      t1: 5,
    });
    expect(geometry.lines[0]!.d).toMatch(/^M[\d.]+ [\d.]+$/);
    expect(geometry.spanLabel).toBe("now");
    expect(chartGeometry([], { t0: 0, t1: 0 }).yMax).toBe(1);
  });

  it("labels the time span", () => {
    expect([500, 42_000, 150_000].map(spanLabel)).toEqual(["now", "last 42 s", "last 3 min"]);
  });
});
