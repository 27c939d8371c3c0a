// SageMaker Pipelines: the list, a pipeline's page and an execution's page.
//
// The list is ListPipelines, whose name filter is a prefix (PipelineNamePrefix: AWS has no
// other); its summaries carry LastExecutionTime but not that execution's status, which comes
// from ListPipelineExecutions (the newest one), read at every refresh until that execution
// has ended, and again once LastExecutionTime says another one started.
//
// A pipeline's page: its graph (dag.js) drawn from DescribePipeline's PipelineDefinition,
// coloured by the steps of its newest execution (ListPipelineExecutionSteps, read while that
// execution runs and once after it ended); its executions with their parameters
// (ListPipelineParametersForExecution, once each: they never change).
//
// An execution's page: the graph of the definition it runs
// (DescribePipelineDefinitionForExecution) coloured by its steps, and the steps table (status,
// times, attempts, cache hit, what each step made or decided: a job linking to its page, a
// registered version to the registry's, a condition's outcome, a Fail step's message), read
// every 2 s until the execution ends; Stop while it is Executing.

import { clientToken, sagemaker } from "./aws.js";
import { definitionSteps, pipelineGraph } from "./dag.js";
import { isJobKind, jobDuration, jobLink, jobNameFromArn, jobPage } from "./jobs.js";
import { describedOnce, describedUntil, listAll, resourceList } from "./lists.js";
import { errorNote, field, formatDuration, formatTime, h, keyValues, keyedTable, linkTo, mono, section, setContent,
  statusBadge } from "./ui.js";

const TERMINAL = new Set(["Succeeded", "Failed", "Stopped"]);
const NEVER_ENDS = new Set(); // a pipeline is Active for as long as it exists
const EXECUTION_ARN = /:pipeline\/([^/]+)\/execution\/([^/]+)$/;

const executionId = (arn) => EXECUTION_ARN.exec(arn)?.[2] ?? arn;
function executionLink(arn, label) {
  const [, pipeline, id] = EXECUTION_ARN.exec(arn) ?? [];
  return pipeline ? h("a", { href: `#/pipelines/${encodeURIComponent(pipeline)}/executions/${encodeURIComponent(id)}` },
    label ?? id) : mono(arn);
}
const executions = (pipeline, max = 100) => listAll("ListPipelineExecutions",
  { PipelineName: pipeline, SortBy: "CreationTime", SortOrder: "Descending", MaxResults: max },
  "PipelineExecutionSummaries");
const parametersOf = async (arn) => Object.fromEntries((await listAll("ListPipelineParametersForExecution",
  { PipelineExecutionArn: arn, MaxResults: 100 }, "PipelineParameters")).map((p) => [p.Name, p.Value]));
const stepsOf = (arn) => listAll("ListPipelineExecutionSteps",
  { PipelineExecutionArn: arn, SortOrder: "Ascending", MaxResults: 100 }, "PipelineExecutionSteps");
const byName = (steps) => new Map(steps.map((s) => [s.StepName, s]));
const parameterList = (parameters) => keyValues(parameters) ?? h("span", { class: "muted" }, "none");

export function pipelinesPage(main, life) {
  const key = (p) => p.PipelineName;
  const list = async ({ NameContains, ...params }) => {
    const answer = await sagemaker("ListPipelines", { ...params, ...(NameContains ? { PipelineNamePrefix: NameContains } : {}) });
    return { items: answer.PipelineSummaries, next: answer.NextToken };
  };
  resourceList(main, life, {
    title: "Pipelines",
    nameLabel: "Name starts with",
    key,
    list: describedUntil(list, (p) => `${key(p)}\n${p.LastExecutionTime ?? ""}`,
      async (p) => (p.LastExecutionTime ? (await sagemaker("ListPipelineExecutions", { PipelineName: key(p),
        SortBy: "CreationTime", SortOrder: "Descending", MaxResults: 1 })).PipelineExecutionSummaries[0] ?? null : null),
      (p, latest) => !latest || TERMINAL.has(latest.PipelineExecutionStatus)),
    columns: [
      { title: "Name", class: "name", render: (p) => linkTo("pipelines", key(p)) },
      { title: "Description", class: "message", render: (p) => p.PipelineDescription ?? "" },
      { title: "Created", class: "time", render: (p) => formatTime(p.CreationTime) },
      { title: "Last execution", class: "time", render: (p) => formatTime(p.LastExecutionTime) },
      { title: "Last execution status", class: "status", render: (p) => (p.detail
        ? statusBadge(p.detail.PipelineExecutionStatus) : p.LastExecutionTime ? "…" : "—") },
    ],
  });
}

// The graph section: drawn again only when the definition changes (UpdatePipeline), coloured
// by the records given; a caption says whose statuses they are.
function graphView() {
  const caption = h("p", { class: "muted dag-caption" });
  const holder = h("div", { class: "dag-wrap" });
  let text = null;
  let graph = null;
  let records = new Map();
  return {
    element: h("div", {}, caption, holder),
    show(definitionText) {
      if (definitionText === text) return;
      text = definitionText;
      try {
        graph = pipelineGraph(JSON.parse(text));
        holder.replaceChildren(graph.element);
        graph.update(records);
      } catch (error) {
        graph = null;
        holder.replaceChildren(errorNote(error));
      }
    },
    update(steps, ...captionNodes) {
      records = byName(steps);
      graph?.update(records);
      setContent(caption, ...captionNodes);
    },
  };
}

export function pipelinePage(main, life, name) {
  const summary = h("dl", { class: "summary" });
  const graph = graphView();
  const key = (e) => e.PipelineExecutionArn;
  const table = keyedTable("Executions", [
    { title: "Execution", class: "name", render: (e) => executionLink(key(e), e.PipelineExecutionDisplayName) },
    { title: "Status", class: "status", render: (e) => statusBadge(e.PipelineExecutionStatus) },
    { title: "Started", class: "time", render: (e) => formatTime(e.StartTime) },
    { title: "Parameters", class: "parameters", render: (e) => (e.detail ? parameterList(e.detail) : "…") },
    { title: "Failure reason", class: "reason", render: (e) => (e.PipelineExecutionFailureReason
      ? h("span", { title: e.PipelineExecutionFailureReason }, e.PipelineExecutionFailureReason) : "") },
  ]);
  const list = describedOnce(async () => ({ items: await executions(name) }), key, (e) => parametersOf(key(e)));
  let shownEnded = null; // the "<arn> <status>" of the ended execution the graph shows: read no more

  jobPage(main, life, name, {
    describe: () => sagemaker("DescribePipeline", { PipelineName: name }),
    status: (p) => p.PipelineStatus,
    terminal: NEVER_ENDS,
    sections: [section("Summary", summary), section("Graph", graph.element),
      section("Executions", h("div", { class: "table-wrap" }, table.table))],
    render: async (p) => {
      setContent(summary,
        field("ARN", mono(p.PipelineArn)),
        field("Display name", p.PipelineDisplayName),
        field("Description", p.PipelineDescription),
        field("Role", mono(p.RoleArn)),
        field("Created", formatTime(p.CreationTime)),
        field("Last modified", formatTime(p.LastModifiedTime)),
        field("Last execution", formatTime(p.LastRunTime)),
        field("Parallelism", p.ParallelismConfiguration
          && `at most ${p.ParallelismConfiguration.MaxParallelExecutionSteps} steps at a time`));
      graph.show(p.PipelineDefinition);
      const { items } = await list();
      table.update(items, key, "No execution yet.");
      table.table.dataset.loaded = "true";
      const newest = items[0];
      if (!newest) return graph.update([], "No execution yet: no step has a status.");
      const seen = `${key(newest)} ${newest.PipelineExecutionStatus}`;
      if (seen === shownEnded) return;
      graph.update(await stepsOf(key(newest)), "Step statuses of the newest execution, ",
        executionLink(key(newest), newest.PipelineExecutionDisplayName), " ", statusBadge(newest.PipelineExecutionStatus));
      shownEnded = TERMINAL.has(newest.PipelineExecutionStatus) ? seen : null;
    },
  });
}

// -- an execution ----------------------------------------------------------------------------

const JOB_METADATA = ["TrainingJob", "ProcessingJob", "TransformJob", "TuningJob"];

// The execution ids whose jobs a step's Metadata may name (its own, or the one it is a cache
// hit of), as long a piece of each as the job's lower-cased name holds (a tuning job's name
// is cut at 32 characters), then that name itself: the hints jobNameFromArn lists by.
function nameHints(arn, record, execution) {
  const lower = arn.split("/").pop();
  const ids = [record.CacheHitResult?.SourcePipelineExecutionArn, execution].filter(Boolean).map(executionId);
  const pieces = ids.map((id) => [...Array(id.length - 3).keys()].map((i) => id.slice(0, id.length - i))
    .find((piece) => lower.includes(piece)));
  return [...pieces, lower];
}

// What a step made or decided, from its Metadata (jobs and registered versions as links, once
// their names are found: record.resolved).
function outcome(record) {
  const metadata = record.Metadata ?? {};
  const kind = JOB_METADATA.find((k) => metadata[k]?.Arn);
  if (kind) return jobLink(kind, metadata[kind].Arn, record.resolved);
  if (metadata.RegisterModel) {
    const version = record.resolved;
    return version ? h("a", { href: `#/model-registry/${encodeURIComponent(version.group)}/${version.version}` },
      `${version.group} version ${version.version}`) : mono(metadata.RegisterModel.Arn);
  }
  if (metadata.Condition) return `Outcome: ${metadata.Condition.Outcome}`;
  if (metadata.Fail) return h("span", { class: "fail-message", title: metadata.Fail.ErrorMessage }, metadata.Fail.ErrorMessage);
  if (metadata.Model) return ["Model ", mono(metadata.Model.Arn)];
  if (metadata.Lambda) return ["Lambda ", mono(metadata.Lambda.Arn)];
  if (metadata.Callback) {
    const { CallbackToken, SqsQueueUrl } = metadata.Callback;
    return [`Callback token ${CallbackToken ?? "—"}`, SqsQueueUrl ? [" · ", mono(SqsQueueUrl)] : null];
  }
  return Object.keys(metadata).length ? mono(JSON.stringify(metadata)) : "—";
}

export function pipelineExecutionPage(main, life, pipeline, id) {
  const summary = h("dl", { class: "summary" });
  const graph = graphView();
  const types = new Map(); // step name -> its type, from the definition the execution runs
  const found = new Map(); // a Metadata ARN -> its job's name or its registered version, once known
  const steps = keyedTable("Steps", [
    { title: "Step", class: "step-name", render: (s) => (s.StepDisplayName && s.StepDisplayName !== s.StepName
      ? [s.StepDisplayName, h("span", { class: "muted" }, ` ${s.StepName}`)] : s.StepName) },
    { title: "Type", class: "step-type", render: (s) => types.get(s.StepName) ?? "—" },
    { title: "Status", class: "status", render: (s) => statusBadge(s.StepStatus) },
    { title: "Started", class: "time", render: (s) => formatTime(s.StartTime) },
    { title: "Duration", class: "num duration", render: (s) => formatDuration((s.EndTime ?? Date.now() / 1000) - s.StartTime) },
    { title: "Attempts", class: "num attempts", render: (s) => String(s.AttemptCount ?? "—") },
    { title: "Job or outcome", class: "outcome", render: outcome },
    { title: "Cache hit", class: "cache", render: (s) => (s.CacheHitResult?.SourcePipelineExecutionArn
      ? ["of ", executionLink(s.CacheHitResult.SourcePipelineExecutionArn)] : "—") },
    { title: "Failure reason", class: "reason", render: (s) => (s.FailureReason
      ? h("span", { title: s.FailureReason }, s.FailureReason) : "") },
  ]);
  let arn = null;
  let parameters = null;
  let definitionShown = false;

  async function executionArn() {
    arn ??= `${(await sagemaker("DescribePipeline", { PipelineName: pipeline })).PipelineArn}/execution/${id}`;
    return arn;
  }

  async function resolve(record) {
    const metadata = record.Metadata ?? {};
    const kind = JOB_METADATA.find((k) => metadata[k]?.Arn);
    const target = kind ? metadata[kind].Arn : metadata.RegisterModel?.Arn;
    if (target && !found.has(target)) {
      if (kind) {
        const name = await jobNameFromArn(kind, target, nameHints(target, record, arn));
        if (name) found.set(target, name);
      } else {
        try {
          const p = await sagemaker("DescribeModelPackage", { ModelPackageName: target });
          found.set(target, { group: p.ModelPackageGroupName, version: p.ModelPackageVersion });
        } catch (error) {
          console.warn(error); // deleted since: its ARN is shown
        }
      }
    }
    return { ...record, resolved: found.get(target) };
  }

  jobPage(main, life, `${pipeline} execution ${id}`, {
    describe: async () => sagemaker("DescribePipelineExecution", { PipelineExecutionArn: await executionArn() }),
    status: (e) => e.PipelineExecutionStatus,
    terminal: TERMINAL,
    running: "Executing",
    stop: () => sagemaker("StopPipelineExecution", { PipelineExecutionArn: arn, ClientRequestToken: clientToken() }),
    sections: [section("Summary", summary), section("Graph", graph.element),
      section("Steps", h("div", { class: "table-wrap" }, steps.table))],
    render,
  });

  async function render(e) {
    if (!definitionShown) {
      const { PipelineDefinition } = await sagemaker("DescribePipelineDefinitionForExecution", { PipelineExecutionArn: arn });
      graph.show(PipelineDefinition);
      for (const step of definitionSteps(JSON.parse(PipelineDefinition))) types.set(step.name, step.type);
      definitionShown = true;
    }
    parameters ??= await parametersOf(arn);
    setContent(summary,
      field("ARN", mono(e.PipelineExecutionArn)),
      field("Pipeline", linkTo("pipelines", pipeline)),
      field("Display name", e.PipelineExecutionDisplayName),
      field("Description", e.PipelineExecutionDescription),
      field("Status", e.PipelineExecutionStatus),
      field("Created", formatTime(e.CreationTime)),
      field("Last modified", formatTime(e.LastModifiedTime)),
      field("Duration", jobDuration(e.CreationTime, null, e.PipelineExecutionStatus, e.LastModifiedTime, TERMINAL)),
      field("Pipeline version", e.PipelineVersionId === undefined ? null : String(e.PipelineVersionId)),
      field("Parameters", parameterList(parameters)),
      field("Parallelism", e.ParallelismConfiguration
        && `at most ${e.ParallelismConfiguration.MaxParallelExecutionSteps} steps at a time`),
      field("Experiment", e.PipelineExperimentConfig
        && keyValues(e.PipelineExperimentConfig)));
    const listed = await Promise.all((await stepsOf(arn)).map(resolve));
    steps.update(listed, (s) => s.StepName, "No step has started yet.");
    steps.table.dataset.loaded = "true";
    graph.update(listed);
  }
}
