// Training jobs: the list (Search over TrainingJob) and a job's page.

import { sagemaker } from "./aws.js";
import { metricSeries, periodFor, timeChart } from "./charts.js";
import { JOB_STATUSES, TERMINAL, jobDuration, jobPage } from "./jobs.js";
import { resourceList } from "./lists.js";
import { logTail } from "./logs.js";
import { s3Folder, showObjects } from "./objects.js";
import { field, formatDuration, formatTime, h, keyedTable, linkTo, mono, section, setContent, statusBadge } from "./ui.js";

const duration = (job) => jobDuration(job.CreationTime, job.TrainingEndTime, job.TrainingJobStatus, job.LastModifiedTime);

export function trainingJobsPage(main, life) {
  resourceList(main, life, {
    title: "Training jobs",
    statuses: JOB_STATUSES,
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
      { title: "Name", class: "name", render: (j) => linkTo("training-jobs", j.TrainingJobName) },
      { title: "Status", class: "status", render: (j) => statusBadge(j.TrainingJobStatus, j.SecondaryStatus) },
      { title: "Created", class: "time", render: (j) => formatTime(j.CreationTime) },
      { title: "Duration", class: "num", render: duration },
      { title: "Instance type", render: (j) => j.ResourceConfig?.InstanceType ?? "—" },
      { title: "Instances", class: "num", render: (j) => String(j.ResourceConfig?.InstanceCount ?? "—") },
    ],
  });
}

export function trainingJobPage(main, life, name) {
  const summary = h("dl", { class: "summary" });
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
  let job = null;
  let chartSet = null;
  let artifactsListed = false;
  jobPage(main, life, name, {
    describe: () => sagemaker("DescribeTrainingJob", { TrainingJobName: name }),
    status: (j) => j.TrainingJobStatus,
    detail: (j) => j.SecondaryStatus,
    stop: () => sagemaker("StopTrainingJob", { TrainingJobName: name }),
    sections: [section("Summary", summary), section("Status timeline", timeline.table),
      section("Metrics", finals, charts),
      section("Hyperparameters", hyper.table), section("Input channels", channels.table),
      section("Artifacts", artifacts),
      section("Logs", logTail("/aws/sagemaker/TrainingJobs", `${name}/`, life))],
    render,
  });

  async function render(described) {
    job = described;
    setContent(summary,
      field("Status", `${job.TrainingJobStatus} (${job.SecondaryStatus})`),
      field("Created", formatTime(job.CreationTime)),
      field("Training started", formatTime(job.TrainingStartTime)),
      field("Training ended", formatTime(job.TrainingEndTime)),
      field("Duration", duration(job)),
      field("Billable time", job.BillableTimeInSeconds === undefined ? "—" : formatDuration(job.BillableTimeInSeconds)),
      field("Instance type", job.ResourceConfig?.InstanceType),
      field("Instance count", String(job.ResourceConfig?.InstanceCount ?? "—")),
      field("Image", mono(job.AlgorithmSpecification?.TrainingImage ?? job.AlgorithmSpecification?.AlgorithmName)),
      field("Role", mono(job.RoleArn)),
      field("Output path", mono(job.OutputDataConfig?.S3OutputPath)),
      field("Model artifacts", mono(job.ModelArtifacts?.S3ModelArtifacts ?? "—")));
    hyper.update(Object.entries(job.HyperParameters || {}), ([k]) => k, "No hyperparameters.");
    channels.update(job.InputDataConfig || [], (c) => c.ChannelName, "No input channels.");
    timeline.update(job.SecondaryStatusTransitions || [], (t) => `${t.Status}-${t.StartTime}`);
    setContent(finals, (job.FinalMetricDataList || []).length
      ? h("p", {}, "Final values: ", job.FinalMetricDataList.map((m) => `${m.MetricName} = ${m.Value}`).join(", "))
      : null);
    await refreshMetrics();
    if (!artifactsListed && (TERMINAL.has(job.TrainingJobStatus) || job.SecondaryStatus === "Uploading")) {
      const output = job.OutputDataConfig?.S3OutputPath;
      if (output) await showObjects(artifacts, s3Folder(`${output.replace(/\/+$/, "")}/${name}`));
      artifactsListed = TERMINAL.has(job.TrainingJobStatus);
    }
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
}
