// Model Monitor on an endpoint's page: its monitoring schedules, their executions, the
// violations an execution found and the per-feature statistics of each schedule's baseline.
//
// At every refresh: ListMonitoringSchedules (the endpoint's) and a DescribeMonitoringSchedule
// of each (its status and LastMonitoringExecutionSummary change), and the endpoint's newest
// executions (ListMonitoringExecutions). What an ended execution found is in its processing
// job's report, where AWS puts it: the job's first output (DescribeProcessingJob's
// ProcessingOutputConfig.Outputs[0].S3Output.S3Uri) holds constraint_violations.json, read
// once. A schedule's baseline is its job definition's BaselineConfig
// (Describe{Data,Model}QualityJobDefinition, or the inline MonitoringJobDefinition's):
// StatisticsResource, else the statistics.json its BaseliningJobName's processing job wrote to
// its first output; read again only when the schedule is updated (LastModifiedTime).

import { sagemaker } from "./aws.js";
import { jobLink, jobNameFromArn } from "./jobs.js";
import { listAll } from "./lists.js";
import { jsonReader } from "./objects.js";
import { errorNote, formatNumber, formatTime, h, keyedTable, linkTo, mono, setContent, statusBadge } from "./ui.js";

const EXECUTIONS_SHOWN = 50; // the newest ones
const REFRESH_MS = 3000;
const REPORTED = new Set(["Completed", "CompletedWithViolations"]); // executions that wrote a report
const TYPES = { DataQuality: "Data quality", ModelQuality: "Model quality" };
const DEFINITIONS = { DataQuality: "DescribeDataQualityJobDefinition", ModelQuality: "DescribeModelQualityJobDefinition" };
const DISTINCT_SHOWN = 5; // a string feature's most frequent values

const folderOf = (job) => job.ProcessingOutputConfig?.Outputs?.[0]?.S3Output?.S3Uri?.replace(/\/+$/, "");
const executionKey = (e) => `${e.MonitoringScheduleName}\n${e.ScheduledTime}\n${e.CreationTime}`;

function scheduleText(config = {}) {
  const expression = config.ScheduleExpression ?? "—";
  return config.DataAnalysisStartTime
    ? `${expression} · data from ${config.DataAnalysisStartTime} to ${config.DataAnalysisEndTime}` : expression;
}

const lastExecution = (summary) => (summary
  ? [statusBadge(summary.MonitoringExecutionStatus), " ", formatTime(summary.ScheduledTime)] : "None yet");

// A baseline's per-feature statistics (statistics.json's features) as rows.
function featureRow(feature) {
  const numbers = feature.numerical_statistics;
  const strings = feature.string_statistics;
  const common = (numbers ?? strings)?.common ?? {};
  const buckets = strings?.distribution?.categorical?.buckets ?? [];
  const values = buckets.slice(0, DISTINCT_SHOWN).map((b) => `${b.value} (${b.count})`).join(", ");
  return {
    name: feature.name, type: feature.inferred_type, count: common.num_present, missing: common.num_missing,
    mean: numbers?.mean, min: numbers?.min, max: numbers?.max,
    distinct: strings ? `${formatNumber(strings.distinct_count)} distinct${values ? `: ${values}` : ""}`
      + (buckets.length > DISTINCT_SHOWN ? ", …" : "") : "—",
  };
}

const STATISTICS_COLUMNS = [
  { title: "Feature", class: "mono feature", render: (f) => f.name },
  { title: "Type", render: (f) => f.type ?? "—" },
  { title: "Count", class: "num", render: (f) => formatNumber(f.count) },
  { title: "Missing", class: "num", render: (f) => formatNumber(f.missing) },
  { title: "Mean", class: "num", render: (f) => formatNumber(f.mean) },
  { title: "Min", class: "num", render: (f) => formatNumber(f.min) },
  { title: "Max", class: "num", render: (f) => formatNumber(f.max) },
  { title: "Distinct values", class: "distinct", render: (f) => f.distinct },
];

export function monitoringView(endpoint, life) {
  const read = jsonReader();
  const problem = h("div", { class: "problem" });
  const reports = new Map(); // execution key -> {job: name, folder, violations | error}, once its report is read
  const baselines = new Map(); // schedule name -> {version, element}
  let selected = null; // the execution whose violations are shown (the newest reported one unless picked)
  let listedExecutions = [];

  const schedules = keyedTable("Monitoring schedules", [
    { title: "Schedule", class: "name", render: (s) => s.MonitoringScheduleName },
    { title: "Type", class: "monitoring-type", render: (s) => TYPES[s.MonitoringType] ?? s.MonitoringType },
    { title: "Status", class: "status", render: (s) => statusBadge(s.MonitoringScheduleStatus) },
    { title: "Schedule expression", class: "cron", render: (s) => scheduleText(s.MonitoringScheduleConfig?.ScheduleConfig) },
    { title: "Last execution", class: "last-execution", render: (s) => lastExecution(s.LastMonitoringExecutionSummary) },
  ]);
  const executions = keyedTable("Monitoring executions", [
    { title: "Schedule", class: "name", render: (e) => e.MonitoringScheduleName },
    { title: "Scheduled time", class: "time", render: (e) => formatTime(e.ScheduledTime) },
    { title: "Status", class: "status", render: (e) => statusBadge(e.MonitoringExecutionStatus) },
    { title: "Violations", class: "num violations", render: violationsCell },
    { title: "Processing job", class: "job", render: (e) => (e.ProcessingJobArn
      ? jobLink("ProcessingJob", e.ProcessingJobArn, e.job) : "—") },
    { title: "Failure reason", class: "reason", render: (e) => (e.FailureReason
      ? h("span", { title: e.FailureReason }, e.FailureReason) : "") },
  ]);
  const violations = keyedTable("Violations", [
    { title: "Feature", class: "mono feature", render: (v) => v.feature_name ?? v.metric_name ?? "—" },
    { title: "Check type", class: "check", render: (v) => v.constraint_check_type ?? "—" },
    { title: "Description", render: (v) => v.description ?? "" },
  ]);
  const violationsHead = h("p", { class: "muted" });
  const baselineHolder = h("div", { class: "baselines" });
  const element = h("div", { class: "monitoring" }, problem,
    h("h3", {}, "Schedules"), h("div", { class: "table-wrap schedules" }, schedules.table),
    h("h3", {}, "Executions"), h("div", { class: "table-wrap executions" }, executions.table),
    h("h3", {}, "Violations"), violationsHead, h("div", { class: "table-wrap violations" }, violations.table),
    h("h3", {}, "Baseline statistics"), baselineHolder);

  function violationsCell(e) {
    const report = reports.get(executionKey(e));
    if (!report) return REPORTED.has(e.MonitoringExecutionStatus) ? "…" : "—";
    if (report.error) return errorNote(report.error);
    const count = report.violations.length;
    return h("button", { type: "button", class: "show-violations", "aria-pressed": String(selected === executionKey(e)),
      "aria-label": `Show the ${count} violations`,
      onclick: () => { selected = executionKey(e); showExecutions(); } }, String(count));
  }

  // An ended execution's job name and violations, once (a failed read is tried at the next refresh).
  async function readReport(e) {
    const key = executionKey(e);
    if (reports.get(key)?.violations || !REPORTED.has(e.MonitoringExecutionStatus) || !e.ProcessingJobArn) return;
    const name = e.job ?? e.ProcessingJobArn.split("/").pop();
    const folder = folderOf(await sagemaker("DescribeProcessingJob", { ProcessingJobName: name }));
    const uri = `${folder}/constraint_violations.json`;
    const { report, error } = await read(uri);
    reports.set(key, error ? { error } : { uri, violations: report?.violations ?? [] });
  }

  function showExecutions() {
    const reported = listedExecutions.filter((e) => reports.get(executionKey(e))?.violations);
    if (!reported.some((e) => executionKey(e) === selected)) selected = reported[0] ? executionKey(reported[0]) : null;
    executions.update(listedExecutions, executionKey, "No monitoring execution yet.");
    const shown = reported.find((e) => executionKey(e) === selected);
    if (!shown) {
      setContent(violationsHead, "Shown once an execution has completed.");
      violations.update([], (v) => v, "—");
      return;
    }
    const report = reports.get(selected);
    setContent(violationsHead, "Found by ", jobLink("ProcessingJob", shown.ProcessingJobArn, shown.job),
      ` (${shown.MonitoringScheduleName}, scheduled ${formatTime(shown.ScheduledTime)}) in `, mono(report.uri),
      " (pick another execution by its violations count)");
    violations.update(report.violations, (v) => JSON.stringify(v), "No violations.");
  }

  // Where a schedule's baseline statistics are: {uri, job?} or {note} saying why there are none.
  async function baselineSource(schedule) {
    const config = schedule.MonitoringScheduleConfig ?? {};
    let baseline;
    if (config.MonitoringJobDefinition) {
      baseline = config.MonitoringJobDefinition.BaselineConfig;
    } else {
      const type = schedule.MonitoringType ?? "DataQuality";
      if (!DEFINITIONS[type]) return { note: `${type} schedules have no per-feature statistics.` };
      const definition = await sagemaker(DEFINITIONS[type], { JobDefinitionName: config.MonitoringJobDefinitionName });
      baseline = definition[`${type}BaselineConfig`];
    }
    if (baseline?.StatisticsResource?.S3Uri) return { uri: baseline.StatisticsResource.S3Uri };
    if (baseline?.BaseliningJobName) {
      const job = await sagemaker("DescribeProcessingJob", { ProcessingJobName: baseline.BaseliningJobName });
      return { uri: `${folderOf(job)}/statistics.json`, job: baseline.BaseliningJobName };
    }
    return { note: baseline?.ConstraintsResource
      ? "This schedule's baseline is its constraints alone (no statistics)." : "This schedule has no baseline." };
  }

  // A schedule's baseline block, made again when the schedule changed; one that could not be
  // read says why, and is read again at the next refresh.
  async function showBaseline(schedule) {
    const name = schedule.MonitoringScheduleName;
    const version = String(schedule.LastModifiedTime);
    if (baselines.get(name)?.version === version) return;
    const block = h("div", { class: "baseline", "data-schedule": name }, h("h4", {}, `Baseline of ${name}`));
    let complete = true;
    try {
      block.append(...await baselineContents(name, await baselineSource(schedule)));
    } catch (error) {
      block.append(errorNote(error));
      complete = false;
    }
    const previous = baselines.get(name)?.element;
    if (previous?.innerHTML === block.innerHTML) return; // the same error again: no redraw
    if (previous) previous.replaceWith(block); else baselineHolder.append(block);
    baselines.set(name, { version: complete ? version : null, element: block });
  }

  async function baselineContents(name, source) {
    if (source.note) return [h("p", { class: "muted" }, source.note)];
    const { report, error } = await read(source.uri);
    if (error) throw error;
    const where = h("p", { class: "muted" }, mono(source.uri),
      source.job ? [", written by the baselining job ", linkTo("processing-jobs", source.job)] : null);
    if (!report?.features) return [where, h("p", { class: "muted" }, "These statistics have no per-feature statistics.")];
    const table = keyedTable(`Baseline statistics of ${name}`, STATISTICS_COLUMNS);
    table.update(report.features.map(featureRow), (f) => f.name, "No features.");
    return [where, h("p", {}, `${formatNumber(report.dataset?.item_count)} records`),
      h("div", { class: "table-wrap" }, table.table)];
  }

  async function refresh() {
    try {
      const summaries = await listAll("ListMonitoringSchedules", { EndpointName: endpoint, MaxResults: 100 },
        "MonitoringScheduleSummaries");
      const described = await Promise.all(summaries.map((s) => sagemaker("DescribeMonitoringSchedule",
        { MonitoringScheduleName: s.MonitoringScheduleName })));
      schedules.update(described, (s) => s.MonitoringScheduleName, "This endpoint has no monitoring schedule.");
      const { MonitoringExecutionSummaries: listed } = await sagemaker("ListMonitoringExecutions", { EndpointName: endpoint,
        SortBy: "ScheduledTime", SortOrder: "Descending", MaxResults: EXECUTIONS_SHOWN });
      listedExecutions = await Promise.all(listed.map(async (e) => ({ ...e,
        job: e.ProcessingJobArn && await jobNameFromArn("ProcessingJob", e.ProcessingJobArn, [e.ProcessingJobArn.split("/").pop()]) })));
      await Promise.all(listedExecutions.map(readReport));
      showExecutions();
      for (const [name, { element: block }] of baselines) {
        if (!described.some((s) => s.MonitoringScheduleName === name)) { block.remove(); baselines.delete(name); }
      }
      await Promise.all(described.map(showBaseline));
      if (!described.length) setContent(baselineHolder, h("p", { class: "muted" }, "No schedule, no baseline."));
      else baselineHolder.querySelector(":scope > p")?.remove();
      problem.replaceChildren();
      element.dataset.loaded = "true";
    } catch (error) {
      problem.replaceChildren(errorNote(error));
      throw error;
    }
  }

  life.every(REFRESH_MS, refresh);
  return element;
}
