// Training jobs: the list (Search over TrainingJob) and a job's page.

import { parseS3Uri, s3ListObjects, s3ObjectUrl, sagemaker } from "./aws.js";
import { metricSeries, periodFor, timeChart } from "./charts.js";
import { resourceList } from "./lists.js";
import { logTail } from "./logs.js";
import { tarGzMembers } from "./tar.js";
import {
  errorNote, field, formatBytes, formatDuration, formatTime, h, keyedTable, section, setContent, statusBadge,
} from "./ui.js";

const TERMINAL = new Set(["Completed", "Failed", "Stopped"]);
const STATUSES = ["InProgress", "Completed", "Failed", "Stopping", "Stopped"];

const link = (name) => h("a", { href: `#/training-jobs/${encodeURIComponent(name)}` }, name);

function duration(job) {
  const end = job.TrainingEndTime ?? (TERMINAL.has(job.TrainingJobStatus) ? job.LastModifiedTime : Date.now() / 1000);
  return formatDuration(end - job.CreationTime);
}

export function trainingJobsPage(main, life) {
  resourceList(main, life, {
    title: "Training jobs",
    statuses: STATUSES,
    key: (job) => job.TrainingJobName,
    // Search, not ListTrainingJobs: whole jobs (instances included) in one call, where the
    // list's summaries would need a DescribeTrainingJob per row.
    list: async ({ NameContains, StatusEquals, ...params }) => {
      const filters = [];
      if (NameContains) filters.push({ Name: "TrainingJobName", Operator: "Contains", Value: NameContains });
      if (StatusEquals) filters.push({ Name: "TrainingJobStatus", Operator: "Equals", Value: StatusEquals });
      const answer = await sagemaker("Search", {
        Resource: "TrainingJob", ...params, ...(filters.length ? { SearchExpression: { Filters: filters } } : {}),
      });
      return { items: answer.Results.map((r) => r.TrainingJob), next: answer.NextToken };
    },
    columns: [
      { title: "Name", class: "name", render: (j) => link(j.TrainingJobName) },
      { title: "Status", class: "status", render: (j) => statusBadge(j.TrainingJobStatus, j.SecondaryStatus) },
      { title: "Created", class: "time", render: (j) => formatTime(j.CreationTime) },
      { title: "Duration", class: "num", render: duration },
      { title: "Instance type", render: (j) => j.ResourceConfig?.InstanceType ?? "—" },
      { title: "Instances", class: "num", render: (j) => String(j.ResourceConfig?.InstanceCount ?? "—") },
    ],
  });
}

export function trainingJobPage(main, life, name) {
  const header = h("div", { class: "page-head" });
  const summary = h("dl", { class: "summary" });
  const failure = h("div", { class: "problem" });
  const hyper = keyedTable("Hyperparameters", [
    { title: "Name", render: ([k]) => k }, { title: "Value", class: "mono", render: ([, v]) => v }]);
  const channels = keyedTable("Input channels", [
    { title: "Channel", render: (c) => c.ChannelName },
    { title: "S3 URI", class: "mono", render: (c) => c.DataSource?.S3DataSource?.S3Uri ?? c.DataSource?.FileSystemDataSource?.DirectoryPath ?? "—" },
    { title: "Input mode", render: (c) => c.InputMode ?? "File" },
    { title: "Content type", render: (c) => c.ContentType ?? "—" },
    { title: "Distribution", render: (c) => c.DataSource?.S3DataSource?.S3DataDistributionType ?? "—" },
  ]);
  const timeline = keyedTable("Status timeline", [
    { title: "Status", render: (t) => t.Status },
    { title: "Started", class: "time", render: (t) => formatTime(t.StartTime) },
    { title: "Took", class: "num", render: (t) => formatDuration((t.EndTime ?? Date.now() / 1000) - t.StartTime) },
    { title: "Message", render: (t) => t.StatusMessage ?? "" },
  ]);
  const charts = h("div", { class: "charts" });
  const finals = h("div");
  const artifacts = h("div", { class: "artifacts" }, h("p", { class: "muted" }, "Listed once the job uploads them."));
  main.append(header, failure, section("Summary", summary), section("Status timeline", timeline.table),
    section("Metrics", finals, charts),
    section("Hyperparameters", hyper.table), section("Input channels", channels.table),
    section("Artifacts", artifacts),
    section("Logs", logTail("/aws/sagemaker/TrainingJobs", `${name}/`, life)));

  let job = null;
  let chartSet = null;
  let artifactsListed = false;
  const stop = h("button", { type: "button", class: "danger", onclick: stopJob }, "Stop");

  async function stopJob() {
    stop.disabled = true;
    try {
      await sagemaker("StopTrainingJob", { TrainingJobName: name });
    } catch (error) {
      failure.replaceChildren(errorNote(error));
    }
  }

  async function refresh() {
    try {
      job = await sagemaker("DescribeTrainingJob", { TrainingJobName: name });
    } catch (error) {
      if (!header.firstChild) header.append(h("h1", {}, name));
      failure.replaceChildren(errorNote(error));
      return error.code !== "ValidationException"; // no such job: nothing more to wait for
    }
    const running = !TERMINAL.has(job.TrainingJobStatus);
    stop.disabled = !(job.TrainingJobStatus === "InProgress");
    if (!header.firstChild) {
      header.append(h("h1", {}, name), h("span", { class: "head-status" }), stop);
      main.focus();
    }
    setContent(header.querySelector(".head-status"), statusBadge(job.TrainingJobStatus, job.SecondaryStatus));
    setContent(failure, job.FailureReason ? h("p", { class: "error", role: "alert" }, `Failure reason: ${job.FailureReason}`) : null);
    setContent(summary,
      field("Status", `${job.TrainingJobStatus} (${job.SecondaryStatus})`),
      field("Created", formatTime(job.CreationTime)),
      field("Training started", formatTime(job.TrainingStartTime)),
      field("Training ended", formatTime(job.TrainingEndTime)),
      field("Duration", duration(job)),
      field("Billable time", job.BillableTimeInSeconds === undefined ? "—" : formatDuration(job.BillableTimeInSeconds)),
      field("Instance type", job.ResourceConfig?.InstanceType),
      field("Instance count", String(job.ResourceConfig?.InstanceCount ?? "—")),
      field("Image", h("span", { class: "mono" }, job.AlgorithmSpecification?.TrainingImage ?? job.AlgorithmSpecification?.AlgorithmName)),
      field("Role", h("span", { class: "mono" }, job.RoleArn)),
      field("Output path", h("span", { class: "mono" }, job.OutputDataConfig?.S3OutputPath)),
      field("Model artifacts", h("span", { class: "mono" }, job.ModelArtifacts?.S3ModelArtifacts ?? "—")));
    hyper.update(Object.entries(job.HyperParameters || {}), ([k]) => k, "No hyperparameters.");
    channels.update(job.InputDataConfig || [], (c) => c.ChannelName, "No input channels.");
    timeline.update(job.SecondaryStatusTransitions || [], (t) => `${t.Status}-${t.StartTime}`);
    setContent(finals, (job.FinalMetricDataList || []).length
      ? h("p", {}, "Final values: ", job.FinalMetricDataList.map((m) => `${m.MetricName} = ${m.Value}`).join(", "))
      : null);
    await refreshMetrics();
    if (!artifactsListed && (TERMINAL.has(job.TrainingJobStatus) || job.SecondaryStatus === "Uploading")) {
      artifactsListed = TERMINAL.has(job.TrainingJobStatus);
      await listArtifacts();
    }
    return running;
  }

  async function refreshMetrics() {
    const definitions = job.AlgorithmSpecification?.MetricDefinitions || [];
    if (!definitions.length) {
      setContent(charts, h("p", { class: "muted" }, "This job defines no metrics (AlgorithmSpecification.MetricDefinitions)."));
      return;
    }
    if (!chartSet) {
      chartSet = definitions.map((d) => timeChart(d.Name, [d.Name], life));
      charts.replaceChildren(...chartSet.map((c) => c.element));
    }
    const start = job.TrainingStartTime ?? job.CreationTime;
    const end = job.TrainingEndTime ?? Date.now() / 1000;
    const { timestamps, values } = await metricSeries(definitions.map((d) => ({
      namespace: "/aws/sagemaker/TrainingJobs", metric: d.Name, stat: "Average",
      dimensions: [{ Name: "TrainingJobName", Value: name }],
    })), start - 1, end + 1, periodFor(end - start));
    await Promise.all(definitions.map((d, i) => {
      const keep = timestamps.map((_, j) => values[i][j] !== null);
      return chartSet[i].update(timestamps.filter((_, j) => keep[j]), [values[i].filter((_, j) => keep[j])], [start, end]);
    }));
  }

  async function listArtifacts() {
    const output = parseS3Uri(job.OutputDataConfig?.S3OutputPath);
    if (!output) return;
    const prefix = `${output.key.replace(/\/$/, "")}${output.key ? "/" : ""}${name}/`;
    let objects;
    try {
      objects = await s3ListObjects(output.bucket, prefix);
    } catch (error) {
      artifacts.replaceChildren(errorNote(error));
      return;
    }
    if (!objects.length) {
      artifacts.replaceChildren(h("p", { class: "muted" }, `Nothing under s3://${output.bucket}/${prefix} yet.`));
      return;
    }
    const list = h("ul", { class: "artifact-list" });
    artifacts.replaceChildren(h("p", { class: "muted" }, `s3://${output.bucket}/${prefix}`), list);
    for (const object of objects) {
      const url = s3ObjectUrl(output.bucket, object.key);
      const contents = h("div", { class: "tar-contents" });
      list.append(h("li", { "data-key": object.key },
        h("a", { href: url, download: object.key.split("/").pop() }, object.key.slice(prefix.length)),
        h("span", { class: "muted" }, ` ${formatBytes(object.size)}`), contents));
      if (object.key.endsWith(".tar.gz") && object.size <= 256 * 1024 * 1024) {
        tarGzMembers(url).then((members) => {
          contents.replaceChildren(h("ul", { class: "members", "aria-label": `Files in ${object.key}` },
            members.filter((m) => !m.directory).map((m) => h("li", {}, h("span", { class: "mono" }, m.name),
              h("span", { class: "muted" }, ` ${formatBytes(m.size)}`)))));
        }).catch((error) => contents.replaceChildren(errorNote(error)));
      }
    }
  }

  life.every(2000, refresh);
}
