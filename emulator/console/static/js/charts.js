// Charts on uPlot (shipped in static/vendor, loaded when the first chart is drawn: lists have
// none), at a fixed height so that a chart appearing or gaining points never moves the page:
// time series (a job's metrics, an endpoint's invocations) and a tuning job's trials.

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

// A uPlot chart in a figure at a fixed height, created when its first data come. options:
// {x?: the x series, series: () => uPlot series after x (called once uPlot is loaded), scales, axes?}.
function plotChart(title, life, options) {
  const holder = h("div", { class: "chart-plot", style: `height:${HEIGHT + 40}px` });
  const figure = h("figure", { class: "chart", "data-chart": title },
    h("figcaption", {}, title), holder,
    h("p", { class: "chart-empty" }, "No data points yet."));
  let plot = null;

  // data: [xs, ...one array of values per series], as uPlot takes it.
  async function draw(data) {
    await loadUPlot();
    const points = data[0].length;
    if (!plot) {
      plot = new uPlot({
        width: Math.max(holder.clientWidth, 300),
        height: HEIGHT,
        series: [options.x ?? {}, ...options.series(points)],
        scales: options.scales,
        axes: options.axes ?? [{}, { size: 60 }],
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

  return { element: figure, draw };
}

export function timeChart(title, seriesLabels, life) {
  let xRange = null;
  const chart = plotChart(title, life, {
    series: (points) => seriesLabels.map((label, i) => ({
      label, stroke: COLORS[i % COLORS.length], width: 2, points: { show: points < 60 },
    })),
    scales: { x: { time: true, range: (u, min, max) => xRange ?? [min, max] } },
  });

  // xRange: [from, to] in epoch seconds, the time the chart spans (uPlot would otherwise
  // stretch a single point over years).
  function update(timestamps, seriesValues, range) {
    xRange = range;
    return chart.draw([timestamps, ...seriesValues]);
  }

  return { element: chart.element, update };
}

// A tuning job's objective against the trial's number: a dot per trial that reported it, and
// the best value so far as a step line; the x axis spans the job's budget of trials from the
// start, so that the chart fills in rather than rescales.
export function trialChart(title, life) {
  let lastTrial = 1;
  const chart = plotChart(title, life, {
    x: { label: "trial" },
    series: () => [
      { label: "objective", stroke: COLORS[0], width: 2, paths: () => null,
        points: { show: true, size: 8, fill: COLORS[0] } },
      { label: "best so far", stroke: COLORS[2], width: 2, paths: uPlot.paths.stepped({ align: 1 }),
        points: { show: false } },
    ],
    scales: { x: { time: false, range: () => [0.5, lastTrial + 0.5] } },
    axes: [{ label: "trial", incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500], values: (u, ticks) => ticks.map(String) },
      { size: 60 }],
  });

  // trials: the trial numbers, ascending; values: their objective values; best: the best so far.
  function update(trials, values, best, budget) {
    lastTrial = Math.max(budget || 1, trials.at(-1) ?? 1);
    return chart.draw([trials, values, best]);
  }

  return { element: chart.element, update };
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
