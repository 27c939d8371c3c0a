// Endpoints: the list and an endpoint's page (variants, invocation metrics from CloudWatch's
// AWS/SageMaker namespace, its Model Monitor schedules (monitoring.js), a "try it" box on
// InvokeEndpoint, logs, delete).

import { ApiError, invokeEndpoint, sagemaker } from "./aws.js";
import { metricSeries, timeChart } from "./charts.js";
import { resourceList } from "./lists.js";
import { logTail } from "./logs.js";
import { monitoringView } from "./monitoring.js";
import { errorNote, field, formatTime, h, keyedTable, section, setContent, statusBadge } from "./ui.js";

const STATUSES = ["OutOfService", "Creating", "Updating", "SystemUpdating", "RollingBack", "InService",
  "Deleting", "Failed", "UpdateRollbackFailed"];
const METRIC_WINDOW_SECONDS = 30 * 60;
const METRIC_PERIOD_SECONDS = 10;

export function endpointsPage(main, life) {
  resourceList(main, life, {
    title: "Endpoints",
    statuses: STATUSES,
    key: (e) => e.EndpointName,
    list: async (params) => {
      const answer = await sagemaker("ListEndpoints", params);
      return { items: answer.Endpoints, next: answer.NextToken };
    },
    columns: [
      { title: "Name", class: "name", render: (e) => h("a", { href: `#/endpoints/${encodeURIComponent(e.EndpointName)}` }, e.EndpointName) },
      { title: "Status", class: "status", render: (e) => statusBadge(e.EndpointStatus) },
      { title: "Created", class: "time", render: (e) => formatTime(e.CreationTime) },
      { title: "Last modified", class: "time", render: (e) => formatTime(e.LastModifiedTime) },
    ],
  });
}

export function endpointPage(main, life, name) {
  const header = h("div", { class: "page-head" });
  const problem = h("div", { class: "problem" });
  const summary = h("dl", { class: "summary" });
  const variants = keyedTable("Production variants", [
    { title: "Variant", render: (v) => v.VariantName },
    { title: "Model", render: (v) => v.config?.ModelName ?? "—" },
    { title: "Instance type", render: (v) => v.config?.InstanceType ?? (v.CurrentServerlessConfig ? "Serverless" : "—") },
    { title: "Instances", class: "num", render: (v) => String(v.CurrentInstanceCount ?? "—") },
    { title: "Desired", class: "num", render: (v) => String(v.DesiredInstanceCount ?? "—") },
    { title: "Weight", class: "num", render: (v) => String(v.CurrentWeight ?? "—") },
  ]);
  const invocations = timeChart("Invocations", ["Invocations"], life);
  const latency = timeChart("Model latency (ms)", ["p50", "p99"], life);
  const remove = h("button", { type: "button", class: "danger", onclick: deleteEndpoint }, "Delete");
  main.append(header, problem, section("Summary", summary), section("Production variants", variants.table),
    section("Invocations", h("div", { class: "charts" }, invocations.element, latency.element)),
    section("Model monitoring", monitoringView(name, life)),
    section("Try it", tryIt(name)),
    section("Logs", logTail(`/aws/sagemaker/Endpoints/${name}`, "", life)));
  const configs = new Map();

  async function deleteEndpoint() {
    if (!window.confirm(`Delete endpoint ${name}? Its containers stop; its configuration and models stay.`)) return;
    remove.disabled = true;
    try {
      await sagemaker("DeleteEndpoint", { EndpointName: name });
    } catch (error) {
      problem.replaceChildren(errorNote(error));
      remove.disabled = false;
    }
  }

  async function refresh() {
    let endpoint;
    try {
      endpoint = await sagemaker("DescribeEndpoint", { EndpointName: name });
    } catch (error) {
      if (!header.firstChild) header.append(h("h1", {}, name));
      const gone = error.code === "ValidationException";
      problem.replaceChildren(errorNote(gone ? new ApiError("", `Endpoint ${name} does not exist (deleted?).`) : error));
      remove.disabled = true;
      return !gone;
    }
    if (!header.firstChild) {
      header.append(h("h1", {}, name), h("span", { class: "head-status" }), remove);
      main.focus();
    }
    setContent(header.querySelector(".head-status"), statusBadge(endpoint.EndpointStatus));
    remove.disabled = endpoint.EndpointStatus === "Deleting";
    setContent(problem, endpoint.FailureReason ? h("p", { class: "error", role: "alert" }, `Failure reason: ${endpoint.FailureReason}`) : null);
    if (!configs.has(endpoint.EndpointConfigName)) {
      const config = await sagemaker("DescribeEndpointConfig", { EndpointConfigName: endpoint.EndpointConfigName });
      configs.set(endpoint.EndpointConfigName, config);
    }
    const config = configs.get(endpoint.EndpointConfigName);
    setContent(summary,
      field("Status", endpoint.EndpointStatus),
      field("ARN", h("span", { class: "mono" }, endpoint.EndpointArn)),
      field("Endpoint configuration", endpoint.EndpointConfigName),
      field("Created", formatTime(endpoint.CreationTime)),
      field("Last modified", formatTime(endpoint.LastModifiedTime)),
      field("Data capture", endpoint.DataCaptureConfig?.EnableCapture ? endpoint.DataCaptureConfig.DestinationS3Uri : "Off"));
    variants.update((endpoint.ProductionVariants || []).map((v) => ({
      ...v, config: config.ProductionVariants.find((c) => c.VariantName === v.VariantName),
    })), (v) => v.VariantName, "No variant is deployed yet.");
    await refreshMetrics(endpoint);
    return true;
  }

  async function refreshMetrics(endpoint) {
    const end = Date.now() / 1000;
    const start = end - METRIC_WINDOW_SECONDS;
    const queries = [];
    for (const v of endpoint.ProductionVariants || []) {
      const dimensions = [{ Name: "EndpointName", Value: name }, { Name: "VariantName", Value: v.VariantName }];
      const metric = (metricName, stat, scale) => ({ namespace: "AWS/SageMaker", metric: metricName, stat, dimensions, scale });
      queries.push(metric("Invocations", "Sum"), metric("ModelLatency", "p50", 1e-3), metric("ModelLatency", "p99", 1e-3));
    }
    if (!queries.length) return;
    const { timestamps, values } = await metricSeries(queries, start, end, METRIC_PERIOD_SECONDS);
    // Invocations summed over the variants; latency: the slowest variant's percentile.
    const combine = (offset, reduce) => timestamps.map((_, j) => {
      const present = values.filter((_, i) => i % 3 === offset).map((series) => series[j]).filter((x) => x !== null);
      return present.length ? reduce(present) : null;
    });
    await Promise.all([
      invocations.update(timestamps, [combine(0, (xs) => xs.reduce((a, b) => a + b, 0))], [start, end]),
      latency.update(timestamps, [combine(1, (xs) => Math.max(...xs)), combine(2, (xs) => Math.max(...xs))], [start, end]),
    ]);
  }

  life.every(3000, refresh);
}

function tryIt(name) {
  const contentType = h("input", { id: "try-content-type", value: "application/json", list: "try-content-types" });
  const accept = h("input", { id: "try-accept", value: "application/json", list: "try-content-types" });
  const body = h("textarea", { id: "try-body", rows: 6, spellcheck: "false" }, "");
  const result = h("div", { class: "try-result", "aria-live": "polite" });
  const button = h("button", { type: "submit" }, "Invoke");
  const form = h("form", { class: "try-it" },
    h("datalist", { id: "try-content-types" },
      ["application/json", "text/csv", "application/x-npy", "text/plain", "application/octet-stream"]
        .map((t) => h("option", { value: t }))),
    h("div", { class: "row" },
      h("label", { for: "try-content-type" }, "Content type"), contentType,
      h("label", { for: "try-accept" }, "Accept"), accept),
    h("label", { for: "try-body" }, "Request body"), body,
    h("div", {}, button), result);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    button.disabled = true;
    result.replaceChildren(h("p", { class: "muted" }, "Invoking…"));
    try {
      const answer = await invokeEndpoint(name, contentType.value, accept.value, body.value);
      result.replaceChildren(
        h("p", {}, `HTTP ${answer.status} · variant ${answer.variant} · ${answer.contentType} · ${Math.round(answer.elapsed)} ms`),
        h("pre", { class: "response", tabindex: "0", "aria-label": "Response body" }, answer.body));
    } catch (error) {
      result.replaceChildren(errorNote(error));
    } finally {
      button.disabled = false;
    }
  });
  return form;
}
