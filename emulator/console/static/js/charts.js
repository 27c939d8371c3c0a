// Time-series charts on uPlot (shipped in static/vendor, loaded when the first chart is drawn:
// lists have none), at a fixed height so that a chart appearing or gaining points never moves
// the page.

import { cloudwatch } from "./aws.js";
import { h } from "./ui.js";

let uPlotLoading = null;
function loadUPlot() {
  uPlotLoading ??= new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = new URL("../vendor/uplot/uPlot.iife.min.js", import.meta.url).href;
    script.onload = resolve;
    script.onerror = () => reject(new Error("could not load the charting library"));
    document.head.append(script);
  });
  return uPlotLoading;
}

const COLORS = ["#1a56c4", "#b3261e", "#137333", "#8430ce"];
const HEIGHT = 200;

export function timeChart(title, seriesLabels, life) {
  const holder = h("div", { class: "chart-plot", style: `height:${HEIGHT + 40}px` });
  const figure = h("figure", { class: "chart", "data-chart": title },
    h("figcaption", {}, title), holder,
    h("p", { class: "chart-empty" }, "No data points yet."));
  let plot = null;
  let points = 0;
  let xRange = null;

  // xRange: [from, to] in epoch seconds, the time the chart spans (uPlot would otherwise
  // stretch a single point over years).
  async function update(timestamps, seriesValues, range) {
    await loadUPlot();
    xRange = range;
    points = timestamps.length;
    const data = [timestamps, ...seriesValues];
    if (!plot) {
      plot = new uPlot({
        width: Math.max(holder.clientWidth, 300),
        height: HEIGHT,
        series: [{}, ...seriesLabels.map((label, i) => ({
          label, stroke: COLORS[i % COLORS.length], width: 2, points: { show: points < 60 },
        }))],
        scales: { x: { time: true, range: (u, min, max) => xRange ?? [min, max] } },
        axes: [{}, { size: 60 }],
        legend: { live: true },
      }, data, holder);
      const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(holder.clientWidth, 300), height: HEIGHT }));
      resize.observe(holder);
      life.onEnd(() => { resize.disconnect(); plot.destroy(); });
    } else {
      plot.setData(data);
    }
    figure.dataset.points = String(points);
    figure.querySelector(".chart-empty").hidden = points > 0;
  }

  return { element: figure, update };
}

// A period that keeps a chart to a few hundred points whatever the time span.
export function periodFor(spanSeconds) {
  for (const period of [1, 5, 10, 30, 60, 300, 900, 3600]) {
    if (spanSeconds / period <= 400) return period;
  }
  return 3600;
}

// GetMetricData for several series over one time range; returns {timestamps, values: [[...]]}
// aligned on the union of the timestamps (a gap is null).
export async function metricSeries(queries, start, end, period) {
  const response = await cloudwatch("GetMetricData", {
    StartTime: Math.floor(start), EndTime: Math.ceil(end), ScanBy: "TimestampAscending",
    MetricDataQueries: queries.map((q, i) => ({
      Id: `q${i}`, ReturnData: true,
      MetricStat: { Metric: { Namespace: q.namespace, MetricName: q.metric, Dimensions: q.dimensions },
        Period: period, Stat: q.stat },
    })),
  });
  const byId = new Map(response.MetricDataResults.map((r) => [r.Id, r]));
  const stamps = new Set();
  for (const r of response.MetricDataResults) for (const t of r.Timestamps) stamps.add(epoch(t));
  const timestamps = [...stamps].sort((a, b) => a - b);
  const values = queries.map((q, i) => {
    const r = byId.get(`q${i}`);
    const at = new Map(r ? r.Timestamps.map((t, j) => [epoch(t), r.Values[j]]) : []);
    return timestamps.map((t) => (at.has(t) ? q.scale ? at.get(t) * q.scale : at.get(t) : null));
  });
  return { timestamps, values };
}

const epoch = (t) => (typeof t === "number" ? t : Date.parse(t) / 1000);
