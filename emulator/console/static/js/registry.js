// The Model Registry: model package groups, a group's page with its versions, a version's page.
//
// ListModelPackageGroups' summaries say nothing of the versions, so each group's versions are
// listed (ListModelPackages, newest first) at every refresh, for their number and the newest
// one's approval status. A group's page lists its versions with the metrics each one's
// ModelMetrics points to, when the browser can read them from S3 as JSON (a pipeline's
// evaluation report, a Model Monitor statistics file): each version is described, and its
// reports read, once, since UpdateModelPackage cannot change ModelMetrics. A version's page
// shows its inference specification and all its reports, and approves or rejects it
// (UpdateModelPackage with the ApprovalDescription the user types).

import { parseS3Uri, s3ObjectUrl, sagemaker } from "./aws.js";
import { jobPage } from "./jobs.js";
import { describedOnce, describedUntil, listAll, listCall, resourceList } from "./lists.js";
import { jsonReader } from "./objects.js";
import { errorNote, field, formatNumber, formatTime, h, keyValues, keyedTable, linkTo, mono, section, setContent,
  statusBadge } from "./ui.js";

// A group and its versions never reach a status after which nothing changes.
const NEVER_ENDS = new Set();
const SUMMARY_ROWS = 6; // a report's rows shown in the group's versions table

const versions = (group) => listAll("ListModelPackages",
  { ModelPackageGroupName: group, SortBy: "CreationTime", SortOrder: "Descending", MaxResults: 100 },
  "ModelPackageSummaryList");
const versionLink = (group, version) => linkTo(`model-registry/${group}`, String(version));

export function modelRegistryPage(main, life) {
  const key = (g) => g.ModelPackageGroupName;
  resourceList(main, life, {
    title: "Model registry",
    caption: "Model package groups",
    key,
    list: describedUntil(listCall("ListModelPackageGroups", "ModelPackageGroupSummaryList"), key,
      async (group) => {
        const found = await versions(key(group));
        return { count: found.length, latest: found[0] };
      }, () => false), // versions come and are approved at any time
    columns: [
      { title: "Model package group", class: "name", render: (g) => linkTo("model-registry", key(g)) },
      { title: "Description", class: "message", render: (g) => g.ModelPackageGroupDescription ?? "" },
      { title: "Created", class: "time", render: (g) => formatTime(g.CreationTime) },
      { title: "Versions", class: "num count", render: (g) => (g.detail ? String(g.detail.count) : "…") },
      { title: "Latest version", class: "approval", render: (g) => (g.detail?.latest
        ? [String(g.detail.latest.ModelPackageVersion), " ", statusBadge(g.detail.latest.ModelApprovalStatus)]
        : g.detail ? "None yet" : "…") },
    ],
  });
}

// -- metrics -----------------------------------------------------------------------------------

const METRIC_KINDS = [["ModelQuality", "Model quality"], ["ModelDataQuality", "Data quality"], ["Bias", "Bias"],
  ["Explainability", "Explainability"]];

// ModelMetrics' MetricsSources, each with a label ("Model quality statistics").
function metricSources(metrics = {}) {
  return METRIC_KINDS.flatMap(([member, label]) => Object.entries(metrics[member] ?? {})
    .filter(([, source]) => source?.S3Uri)
    .map(([kind, source]) => ({ ...source, label: `${label} ${kind.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase()}` })));
}

// A report's metrics as rows: each {"value": v, ...} object is one metric named by its path
// ("regression_metrics.mse"), its standard_deviation beside it; so is any other number or
// string; lists (curves, matrices) are counted, not shown.
function metricRows(report, path = []) {
  const name = path.join(".") || "value";
  if (Array.isArray(report)) return [{ name, value: `${report.length} values` }];
  if (report === null || typeof report !== "object") return [{ name, value: report }];
  if ("value" in report && (report.value === null || typeof report.value !== "object")) {
    return [{ name, value: report.value, deviation: report.standard_deviation }];
  }
  return Object.entries(report).flatMap(([k, v]) => metricRows(v, [...path, k]));
}

const shown = (value) => (typeof value === "number" ? formatNumber(value) : String(value ?? "—"));

function metricsTable(report, label, limit = Infinity) {
  if (report === null) return h("p", { class: "muted" }, "Not JSON: download it from S3.");
  const rows = metricRows(report);
  const deviations = rows.some((r) => r.deviation !== undefined);
  return h("div", {},
    h("table", { class: "metrics", "aria-label": label },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Metric"), h("th", { scope: "col" }, "Value"),
        deviations && h("th", { scope: "col" }, "Standard deviation"))),
      h("tbody", {}, rows.slice(0, limit).map((r) => h("tr", { "data-metric": r.name },
        h("td", { class: "mono" }, r.name), h("td", { class: "num" }, shown(r.value)),
        deviations && h("td", { class: "num" }, r.deviation === undefined ? "" : shown(r.deviation)))))),
    rows.length > limit && h("p", { class: "muted" }, `and ${rows.length - limit} more on the version's page`));
}

const sourceReport = (source, { report, error }, limit) =>
  (error ? errorNote(error) : metricsTable(report, `${source.label}: ${source.S3Uri}`, limit));

// -- a group -----------------------------------------------------------------------------------

export function modelGroupPage(main, life, group) {
  const summary = h("dl", { class: "summary" });
  const read = jsonReader();
  const table = keyedTable("Versions", [
    { title: "Version", class: "num version", render: (v) => versionLink(group, v.ModelPackageVersion) },
    { title: "Status", class: "package-status", render: (v) => statusBadge(v.ModelPackageStatus) },
    { title: "Approval status", class: "approval", render: (v) => statusBadge(v.ModelApprovalStatus) },
    { title: "Created", class: "time", render: (v) => formatTime(v.CreationTime) },
    { title: "Description", render: (v) => v.ModelPackageDescription ?? "" },
    { title: "Metrics", class: "metrics", render: (v) => v.detail?.shown ?? (v.detail ? "—" : "…") },
  ]);
  const key = (v) => String(v.ModelPackageVersion);
  // The first JSON-readable report a version has (its model quality statistics, usually).
  const list = describedOnce(async () => ({ items: await versions(group) }), key, async (v) => {
    const sources = metricSources((await sagemaker("DescribeModelPackage", { ModelPackageName: v.ModelPackageArn })).ModelMetrics);
    const source = sources[0];
    if (!source) return { shown: null };
    const answer = await read(source.S3Uri);
    if (answer.error) throw answer.error; // described again at the next refresh
    return { shown: [h("p", { class: "muted" }, source.label), sourceReport(source, answer, SUMMARY_ROWS)] };
  });

  jobPage(main, life, group, {
    describe: () => sagemaker("DescribeModelPackageGroup", { ModelPackageGroupName: group }),
    status: (g) => g.ModelPackageGroupStatus,
    terminal: NEVER_ENDS,
    sections: [section("Summary", summary), section("Versions", h("div", { class: "table-wrap" }, table.table))],
    render: async (g) => {
      setContent(summary,
        field("ARN", mono(g.ModelPackageGroupArn)),
        field("Description", g.ModelPackageGroupDescription),
        field("Status", g.ModelPackageGroupStatus),
        field("Created", formatTime(g.CreationTime)),
        field("Created by", g.CreatedBy?.IamIdentity?.Arn && mono(g.CreatedBy.IamIdentity.Arn)));
      const { items } = await list();
      table.update(items, key, "No version registered yet.");
      table.table.dataset.loaded = "true";
    },
  });
}

// -- a version ---------------------------------------------------------------------------------

const joined = (values) => (values?.length ? values.join(", ") : null);

function s3Link(uri) {
  const where = parseS3Uri(uri);
  return where?.key ? h("a", { class: "mono", href: s3ObjectUrl(where.bucket, where.key) }, uri) : mono(uri ?? "—");
}

export function modelVersionPage(main, life, group, version) {
  const summary = h("dl", { class: "summary" });
  const inference = h("dl", { class: "summary" });
  const containers = keyedTable("Containers", [
    { title: "Image", class: "mono", render: (c) => c.Image },
    { title: "Model data", render: (c) => (c.ModelDataUrl ? s3Link(c.ModelDataUrl) : "—") },
    { title: "Framework", render: (c) => [c.Framework, c.FrameworkVersion].filter(Boolean).join(" ") || "—" },
    { title: "Environment", render: (c) => keyValues(c.Environment) ?? "—" },
  ]);
  const reports = h("div", { class: "reports" });
  const read = jsonReader();
  const approval = approvalForm();

  jobPage(main, life, `${group} version ${version}`, {
    describe: () => sagemaker("DescribeModelPackage", { ModelPackageName: `${group}/${version}` }),
    status: (p) => p.ModelApprovalStatus,
    terminal: NEVER_ENDS,
    sections: [section("Approval", approval.element), section("Summary", summary),
      section("Inference specification", inference, h("div", { class: "table-wrap" }, containers.table)),
      section("Metrics", reports)],
    render,
  });

  async function render(p) {
    approval.show(p);
    const spec = p.InferenceSpecification ?? {};
    setContent(summary,
      field("ARN", mono(p.ModelPackageArn)),
      field("Model package group", linkTo("model-registry", p.ModelPackageGroupName)),
      field("Version", String(p.ModelPackageVersion)),
      field("Description", p.ModelPackageDescription),
      field("Status", p.ModelPackageStatus),
      field("Approval status", p.ModelApprovalStatus),
      field("Approval description", p.ApprovalDescription),
      field("Created", formatTime(p.CreationTime)),
      field("Last modified", formatTime(p.LastModifiedTime)),
      field("Last modified by", p.LastModifiedBy?.IamIdentity?.Arn && mono(p.LastModifiedBy.IamIdentity.Arn)),
      field("Domain and task", joined([p.Domain, p.Task].filter(Boolean))),
      field("Customer metadata", keyValues(p.CustomerMetadataProperties)),
      field("Metadata", keyValues(p.MetadataProperties)),
      field("Source URI", p.SourceUri && mono(p.SourceUri)));
    setContent(inference,
      field("Content types", joined(spec.SupportedContentTypes)),
      field("Response MIME types", joined(spec.SupportedResponseMIMETypes)),
      field("Real-time instance types", joined(spec.SupportedRealtimeInferenceInstanceTypes)),
      field("Transform instance types", joined(spec.SupportedTransformInstanceTypes)));
    containers.update(spec.Containers ?? [], (c) => `${c.ContainerHostname ?? ""}/${c.Image}/${c.ModelDataUrl ?? ""}`,
      "No inference specification.");
    await showReports(metricSources(p.ModelMetrics));
  }

  async function showReports(sources) {
    if (reports.dataset.shown === String(sources.length)) return;
    if (!sources.length) {
      setContent(reports, h("p", { class: "muted" }, "This version has no ModelMetrics."));
      reports.dataset.shown = "0";
      return;
    }
    const answers = await Promise.all(sources.map((source) => read(source.S3Uri)));
    setContent(reports, sources.map((source, i) => h("div", { class: "report", "data-report": source.label },
      h("h3", {}, source.label), h("p", {}, s3Link(source.S3Uri), h("span", { class: "muted" }, ` ${source.ContentType ?? ""}`)),
      sourceReport(source, answers[i]))));
    if (answers.every((r) => !r.error)) reports.dataset.shown = String(sources.length);
  }
}

// Approve or Reject, with the description the user types; both offered unless the version
// already has that status.
function approvalForm() {
  const description = h("input", { id: "approval-description", type: "text", maxlength: 1024, autocomplete: "off",
    size: 60 });
  const approve = h("button", { type: "button", onclick: () => decide("Approved") }, "Approve");
  const reject = h("button", { type: "button", class: "danger", onclick: () => decide("Rejected") }, "Reject");
  const outcome = h("div", { class: "problem" });
  const element = h("form", { class: "approval", onsubmit: (e) => e.preventDefault() },
    h("label", { for: "approval-description" }, "Approval description"), description, approve, reject, outcome);
  let current = null; // the version as last described
  let asking = false;

  function buttons(status) {
    approve.disabled = asking || status === "Approved";
    reject.disabled = asking || status === "Rejected";
  }

  async function decide(status) {
    asking = true;
    buttons(current?.ModelApprovalStatus);
    outcome.replaceChildren();
    try {
      await sagemaker("UpdateModelPackage", { ModelPackageArn: current.ModelPackageArn, ModelApprovalStatus: status,
        ...(description.value ? { ApprovalDescription: description.value } : {}) });
      current = { ...current, ModelApprovalStatus: status };
    } catch (error) {
      outcome.replaceChildren(errorNote(error));
    } finally {
      asking = false;
      buttons(current?.ModelApprovalStatus);
    }
  }

  return { element, show: (p) => { current = p; buttons(p.ModelApprovalStatus); } };
}
