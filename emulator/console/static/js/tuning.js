// Hyperparameter tuning jobs: the list and a job's page.
//
// The list is ListHyperParameterTuningJobs, whose summaries carry the trial counters but not the
// best trial: each job is described at every refresh while it runs, and once it has ended no
// more. A job's page: the summary, the parameter ranges, and the trials
// (ListTrainingJobsForHyperParameterTuningJob, every page, read again at every refresh until the
// job ends), sorted here (by objective, best first, unless the user picks another column: the
// API's FinalObjectiveMetricValue order leaves out the trials without a value), the best one
// (the job's BestTrainingJob) marked, each linking to its training job's page; and each trial's
// objective on a chart against the trial's number.

import { sagemaker } from "./aws.js";
import { trialChart } from "./charts.js";
import { JOB_STATUSES, TERMINAL, jobDuration, jobPage } from "./jobs.js";
import { describedUntil, listAll, listCall, resourceList } from "./lists.js";
import { field, formatDuration, formatNumber, formatTime, h, instances, keyedTable, linkTo, mono, section, setContent,
  statusBadge } from "./ui.js";

const describe = (name) => sagemaker("DescribeHyperParameterTuningJob", { HyperParameterTuningJobName: name });
const duration = (job) => jobDuration(job.CreationTime, job.HyperParameterTuningEndTime,
  job.HyperParameterTuningJobStatus, job.LastModifiedTime);
const objectiveValue = (trial) => trial?.FinalHyperParameterTuningJobObjectiveMetric?.Value;
const distinct = (values) => [...new Set(values.filter((v) => v !== undefined && v !== null && v !== ""))];
const commaList = (nodes) => nodes.flatMap((node, i) => (i ? [", ", node] : [node]));

// TrainingJobStatusCounters in words; failed counts both kinds of error.
function trialCounts(counters = {}) {
  const failed = (counters.RetryableError ?? 0) + (counters.NonRetryableError ?? 0);
  const counts = [`${counters.Completed ?? 0} completed`, `${counters.InProgress ?? 0} in progress`, `${failed} failed`];
  if (counters.Stopped) counts.push(`${counters.Stopped} stopped`);
  return counts.join(" · ");
}

function bestValue(best) {
  const metric = best?.FinalHyperParameterTuningJobObjectiveMetric;
  return metric ? h("span", { class: "num", title: metric.MetricName }, formatNumber(metric.Value)) : "—";
}

export function tuningJobsPage(main, life) {
  const key = (job) => job.HyperParameterTuningJobName;
  resourceList(main, life, {
    title: "Hyperparameter tuning jobs",
    statuses: JOB_STATUSES,
    key,
    list: describedUntil(listCall("ListHyperParameterTuningJobs", "HyperParameterTuningJobSummaries"), key,
      async (job) => {
        const described = await describe(key(job));
        return { status: described.HyperParameterTuningJobStatus, best: described.BestTrainingJob };
      },
      (job, detail) => TERMINAL.has(detail.status)),
    columns: [
      { title: "Name", class: "name", render: (j) => linkTo("tuning-jobs", key(j)) },
      { title: "Status", class: "status", render: (j) => statusBadge(j.HyperParameterTuningJobStatus) },
      { title: "Strategy", class: "strategy", render: (j) => j.Strategy },
      { title: "Trials", class: "trials", render: (j) => trialCounts(j.TrainingJobStatusCounters) },
      { title: "Best objective", class: "num objective", render: (j) => bestValue(j.detail?.best) },
      { title: "Created", class: "time", render: (j) => formatTime(j.CreationTime) },
      { title: "Duration", class: "num duration", render: duration },
    ],
  });
}

// The training job definitions, each with the objective and ranges that apply to it (the job
// config's for a lone TrainingJobDefinition, its own in TrainingJobDefinitions).
function definitions(job) {
  const config = job.HyperParameterTuningJobConfig ?? {};
  const specs = job.TrainingJobDefinitions ?? (job.TrainingJobDefinition ? [job.TrainingJobDefinition] : []);
  return specs.map((spec) => ({
    name: spec.DefinitionName, spec,
    objective: spec.TuningObjective ?? config.HyperParameterTuningJobObjective ?? {},
    ranges: spec.HyperParameterRanges ?? config.ParameterRanges ?? {},
  }));
}

const RANGE_KINDS = [["IntegerParameterRanges", "Integer"], ["ContinuousParameterRanges", "Continuous"],
  ["CategoricalParameterRanges", "Categorical"]];

function rangeRows(definition) {
  return RANGE_KINDS.flatMap(([member, type]) =>
    (definition.ranges[member] ?? []).map((range) => ({ ...range, type, definition: definition.name })));
}

const rangeValues = (r) => (r.type === "Categorical" ? (r.Values ?? []).join(", ") : `${r.MinValue} – ${r.MaxValue}`);
// AWS's default ScalingType is Auto; categorical values have none.
const scaling = (r) => (r.type === "Categorical" ? "—" : r.ScalingType ?? "Auto");

function limitsText(limits = {}) {
  const text = [`at most ${limits.MaxNumberOfTrainingJobs ?? "—"} training jobs`,
    `${limits.MaxParallelTrainingJobs ?? "—"} at a time`];
  if (limits.MaxRuntimeInSeconds) text.push(`for ${formatDuration(limits.MaxRuntimeInSeconds)}`);
  return text.join(", ");
}

function criteriaText(criteria) {
  if (!criteria) return null;
  const text = [];
  if (criteria.TargetObjectiveMetricValue !== undefined) text.push(`target objective ${criteria.TargetObjectiveMetricValue}`);
  const notImproving = criteria.BestObjectiveNotImproving?.MaxNumberOfTrainingJobsNotImproving;
  if (notImproving) text.push(`end after ${notImproving} trials without improvement`);
  const convergence = criteria.ConvergenceDetected?.CompleteOnConvergence;
  if (convergence) text.push(`complete on convergence: ${convergence}`);
  return text.join("; ") || null;
}

function completionText(details) {
  if (!details) return null;
  const text = [`trials without improvement: ${details.NumberOfTrainingJobsObjectiveNotImproving ?? 0}`];
  if (details.ConvergenceDetectedTime) text.push(`convergence detected ${formatTime(details.ConvergenceDetectedTime)}`);
  return text.join("; ");
}

function warmStart(config) {
  if (!config) return null;
  const parents = (config.ParentHyperParameterTuningJobs ?? []).map((p) => p.HyperParameterTuningJobName);
  return [`${config.WarmStartType} from `, commaList(parents.map((p) => linkTo("tuning-jobs", p)))];
}

// A trial's number: the NNN of its name (`<tuning job>-NNN-<8 hex>`, AWS's form).
const trialNumber = (trial) => Number(/-(\d{3,})-[0-9a-f]{8}$/.exec(trial.TrainingJobName)?.[1] ?? NaN);
const trialEnd = (t) => t.TrainingEndTime ?? (TERMINAL.has(t.TrainingJobStatus) ? undefined : Date.now() / 1000);

// What a sortable column sorts on (undefined: after every value, whichever the direction).
const SORT_KEYS = {
  objective: objectiveValue,
  name: (t) => t.TrainingJobName,
  status: (t) => t.TrainingJobStatus,
  started: (t) => t.TrainingStartTime ?? t.CreationTime,
};

function compareBy(key, descending) {
  return (a, b) => {
    const x = key(a), y = key(b);
    if (x === undefined || y === undefined) return x === y ? 0 : x === undefined ? 1 : -1;
    const order = typeof x === "string" ? x.localeCompare(y) : x - y;
    return descending ? -order : order;
  };
}

export function tuningJobPage(main, life, name) {
  const summary = h("dl", { class: "summary" });
  const rangesHolder = h("div", { class: "table-wrap" });
  const trialsHolder = h("div", { class: "table-wrap" });
  const chart = trialChart("Objective by trial", life);
  let tables = null; // made at the first Describe: they have a column per tuned hyperparameter
  let trials = [];
  let best = null;
  let sort = null; // {by: a SORT_KEYS name, descending}

  jobPage(main, life, name, {
    describe: () => describe(name),
    status: (j) => j.HyperParameterTuningJobStatus,
    stop: () => sagemaker("StopHyperParameterTuningJob", { HyperParameterTuningJobName: name }),
    sections: [section("Summary", summary), section("Parameter ranges", rangesHolder),
      section("Trials", h("div", { class: "charts single" }, chart.element), trialsHolder)],
    render,
  });

  function makeTables(job) {
    const defs = definitions(job);
    const several = defs.length > 1;
    const maximize = defs[0]?.objective.Type !== "Minimize";
    const tuned = distinct(defs.flatMap((d) => rangeRows(d).map((r) => r.Name)));
    sort = { by: "objective", descending: maximize };
    const sortButton = (by, label) => h("button", { type: "button", class: "sort", "data-sort": by, onclick: () => {
      // Again on the same column: the other way. Another column: the objective best first, others ascending.
      sort = sort.by === by ? { by, descending: !sort.descending } : { by, descending: by === "objective" && maximize };
      showTrials();
    } }, label);
    const ranges = keyedTable("Parameter ranges", [
      ...(several ? [{ title: "Definition", render: (r) => r.definition }] : []),
      { title: "Name", class: "mono", render: (r) => r.Name },
      { title: "Type", render: (r) => r.type },
      { title: "Values", class: "mono", render: rangeValues },
      { title: "Scaling", render: scaling },
    ]);
    const table = keyedTable("Trials", [
      { title: "Trial", class: "num trial-no", render: (t) => (Number.isNaN(trialNumber(t)) ? "—" : String(trialNumber(t))) },
      { title: sortButton("name", "Name"), class: "trial-name", render: (t) => [linkTo("training-jobs", t.TrainingJobName),
        t.TrainingJobName === best ? [" ", h("span", { class: "badge best" }, "Best")] : null] },
      ...(several ? [{ title: "Definition", render: (t) => t.TrainingJobDefinitionName ?? "—" }] : []),
      ...tuned.map((p) => ({ title: p, class: "mono", render: (t) => t.TunedHyperParameters?.[p] ?? "—" })),
      { title: sortButton("status", "Status"), class: "status", render: (t) => statusBadge(t.TrainingJobStatus) },
      { title: sortButton("objective", "Objective"), class: "num objective", render: (t) =>
        (objectiveValue(t) === undefined ? h("span", { class: "muted" }, t.ObjectiveStatus ?? "—") : formatNumber(objectiveValue(t))) },
      { title: sortButton("started", "Started"), class: "time started", render: (t) => formatTime(t.TrainingStartTime) },
      { title: "Duration", class: "num duration", render: (t) =>
        (t.TrainingStartTime ? formatDuration((trialEnd(t) ?? t.TrainingStartTime) - t.TrainingStartTime) : "—") },
      { title: "Failure reason", class: "reason", render: (t) => (t.FailureReason ? h("span", { title: t.FailureReason }, t.FailureReason) : "") },
    ]);
    rangesHolder.append(ranges.table);
    trialsHolder.append(table.table);
    tables = { ranges, trials: table, defs, maximize };
  }

  function showTrials() {
    const sorted = [...trials].sort((a, b) => compareBy(SORT_KEYS[sort.by], sort.descending)(a, b)
      || a.TrainingJobName.localeCompare(b.TrainingJobName));
    tables.trials.update(sorted, (t) => t.TrainingJobName, "No trial has started yet.");
    for (const button of tables.trials.table.querySelectorAll("button.sort")) {
      const th = button.closest("th");
      if (button.dataset.sort === sort.by) th.setAttribute("aria-sort", sort.descending ? "descending" : "ascending");
      else th.removeAttribute("aria-sort");
    }
  }

  async function drawChart(job) {
    const scored = trials.filter((t) => objectiveValue(t) !== undefined && !Number.isNaN(trialNumber(t)))
      .sort((a, b) => trialNumber(a) - trialNumber(b));
    const values = scored.map(objectiveValue);
    const pick = tables.maximize ? Math.max : Math.min;
    let bestSoFar = null;
    const bests = values.map((v) => (bestSoFar = bestSoFar === null ? v : pick(bestSoFar, v)));
    await chart.update(scored.map(trialNumber), values, bests,
      job.HyperParameterTuningJobConfig?.ResourceLimits?.MaxNumberOfTrainingJobs);
  }

  async function render(job) {
    if (!tables) makeTables(job);
    const config = job.HyperParameterTuningJobConfig ?? {};
    const { defs } = tables;
    const objectives = distinct(defs.map((d) => d.objective.MetricName && `${d.objective.Type} ${d.objective.MetricName}`));
    const counters = job.ObjectiveStatusCounters ?? {};
    setContent(summary,
      field("Status", job.HyperParameterTuningJobStatus),
      field("ARN", mono(job.HyperParameterTuningJobArn)),
      field("Strategy", config.RandomSeed === undefined ? config.Strategy : `${config.Strategy} (random seed ${config.RandomSeed})`),
      field("Objective", objectives.join("; ") || null),
      field("Early stopping", config.TrainingJobEarlyStoppingType),
      field("Resource limits", limitsText(config.ResourceLimits)),
      field("Best training job", job.BestTrainingJob
        ? [linkTo("training-jobs", job.BestTrainingJob.TrainingJobName), " · objective ", bestValue(job.BestTrainingJob)] : null),
      field("Trials", trialCounts(job.TrainingJobStatusCounters)),
      field("Objective values", `${counters.Succeeded ?? 0} succeeded · ${counters.Pending ?? 0} pending · ${counters.Failed ?? 0} failed`),
      field("Created", formatTime(job.CreationTime)),
      field("Ended", formatTime(job.HyperParameterTuningEndTime)),
      field("Last modified", formatTime(job.LastModifiedTime)),
      field("Duration", duration(job)),
      field("Completion criteria", criteriaText(config.TuningJobCompletionCriteria)),
      field("Completion details", completionText(job.TuningJobCompletionDetails)),
      field("Warm start", warmStart(job.WarmStartConfig)),
      field("Training image", commaList(distinct(defs.map((d) => d.spec.AlgorithmSpecification?.TrainingImage
        ?? d.spec.AlgorithmSpecification?.AlgorithmName)).map(mono))),
      field("Instances", distinct(defs.map((d) => instances(d.spec.ResourceConfig
        ?? d.spec.HyperParameterTuningResourceConfig?.InstanceConfigs?.[0]))).join(", ") || null),
      field("Failure reason", job.FailureReason));
    tables.ranges.update(defs.flatMap(rangeRows), (r) => `${r.definition ?? ""}/${r.Name}`, "No parameter ranges.");
    trials = await listAll("ListTrainingJobsForHyperParameterTuningJob",
      { HyperParameterTuningJobName: name, MaxResults: 100 }, "TrainingJobSummaries");
    best = job.BestTrainingJob?.TrainingJobName ?? null;
    showTrials();
    await drawChart(job);
  }
}
