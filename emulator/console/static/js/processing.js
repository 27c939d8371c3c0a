// Processing jobs: the list and a job's page.
//
// The list is ListProcessingJobs (AWS's Search takes no ProcessingJob); its summaries lack the
// instances, so each job is described once for them (they never change). A job's page shows
// the objects each output holds in S3: Continuous outputs as they upload, all of them once the
// job has ended (EndOfJob outputs are uploaded then, and not at all for a failed job).

import { sagemaker } from "./aws.js";
import { JOB_STATUSES, TERMINAL, jobDuration, jobPage } from "./jobs.js";
import { describedOnce, listCall, resourceList } from "./lists.js";
import { logTail } from "./logs.js";
import { s3Folder, showObjects } from "./objects.js";
import { field, formatDuration, formatTime, h, instances, keyValues, keyedTable, linkTo, mono, section, setContent,
  statusBadge } from "./ui.js";

const LOG_GROUP = "/aws/sagemaker/ProcessingJobs";
const describe = (name) => sagemaker("DescribeProcessingJob", { ProcessingJobName: name });
const duration = (job) => jobDuration(job.CreationTime, job.ProcessingEndTime, job.ProcessingJobStatus, job.LastModifiedTime);
const cluster = (job) => job.ProcessingResources?.ClusterConfig ?? {};
const jsonList = (values) => (values?.length ? mono(JSON.stringify(values)) : null);

// Why it ended: the failure reason, then what the script wrote to /opt/ml/output/message; on
// one line (the row keeps its height), whole in the tooltip and on the job's page.
function outcome(job) {
  const text = [job.FailureReason, job.ExitMessage].filter(Boolean).join(" · ");
  return text ? h("span", { title: text }, text) : "";
}

export function processingJobsPage(main, life) {
  const key = (job) => job.ProcessingJobName;
  resourceList(main, life, {
    title: "Processing jobs",
    statuses: JOB_STATUSES,
    key,
    list: describedOnce(listCall("ListProcessingJobs", "ProcessingJobSummaries"), key,
      async (job) => cluster(await describe(job.ProcessingJobName))),
    columns: [
      { title: "Name", class: "name", render: (j) => linkTo("processing-jobs", j.ProcessingJobName) },
      { title: "Status", class: "status", render: (j) => statusBadge(j.ProcessingJobStatus) },
      { title: "Created", class: "time", render: (j) => formatTime(j.CreationTime) },
      { title: "Duration", class: "num", render: duration },
      { title: "Instances", class: "instances", render: (j) => instances(j.detail) },
      { title: "Exit message or failure reason", class: "message", render: outcome },
    ],
  });
}

export function processingJobPage(main, life, name) {
  const summary = h("dl", { class: "summary" });
  const inputs = keyedTable("Inputs", [
    { title: "Name", render: (i) => i.InputName },
    { title: "S3 URI", class: "mono", render: (i) => i.S3Input?.S3Uri ?? "—" },
    { title: "Local path", class: "mono", render: (i) => i.S3Input?.LocalPath ?? "—" },
    { title: "Data type", render: (i) => i.S3Input?.S3DataType ?? "—" },
    { title: "Input mode", render: (i) => i.S3Input?.S3InputMode ?? "—" },
    { title: "Distribution", render: (i) => i.S3Input?.S3DataDistributionType ?? "—" },
    { title: "Compression", render: (i) => i.S3Input?.S3CompressionType ?? "—" },
  ]);
  const outputs = keyedTable("Outputs", [
    { title: "Name", render: (o) => o.OutputName },
    { title: "S3 URI", class: "mono", render: (o) => o.S3Output?.S3Uri ?? "—" },
    { title: "Local path", class: "mono", render: (o) => o.S3Output?.LocalPath ?? "—" },
    { title: "Upload mode", render: (o) => o.S3Output?.S3UploadMode ?? "—" },
  ]);
  const objects = h("div", { class: "output-objects" });
  const holders = new Map(); // output name -> the element its objects are listed in

  jobPage(main, life, name, {
    describe: () => describe(name),
    status: (j) => j.ProcessingJobStatus,
    stop: () => sagemaker("StopProcessingJob", { ProcessingJobName: name }),
    sections: [section("Summary", summary), section("Inputs", inputs.table),
      section("Outputs", outputs.table, objects),
      section("Logs", logTail(LOG_GROUP, `${name}/`, life))],
    render,
  });

  async function render(job) {
    const app = job.AppSpecification ?? {};
    setContent(summary,
      field("Status", job.ProcessingJobStatus),
      field("ARN", mono(job.ProcessingJobArn)),
      field("Created", formatTime(job.CreationTime)),
      field("Processing started", formatTime(job.ProcessingStartTime)),
      field("Processing ended", formatTime(job.ProcessingEndTime)),
      field("Duration", duration(job)),
      field("Image", mono(app.ImageUri)),
      field("Entrypoint", jsonList(app.ContainerEntrypoint)),
      field("Arguments", jsonList(app.ContainerArguments)),
      field("Instance type", cluster(job).InstanceType),
      field("Instance count", String(cluster(job).InstanceCount ?? "—")),
      field("Volume size", cluster(job).VolumeSizeInGB === undefined ? "—" : `${cluster(job).VolumeSizeInGB} GB`),
      field("Max runtime", formatDuration(job.StoppingCondition?.MaxRuntimeInSeconds)),
      field("Role", mono(job.RoleArn)),
      field("Environment", keyValues(job.Environment)),
      field("Exit message", job.ExitMessage),
      field("Failure reason", job.FailureReason));
    inputs.update(job.ProcessingInputs ?? [], (i) => i.InputName, "No inputs.");
    const declared = job.ProcessingOutputConfig?.Outputs ?? [];
    outputs.update(declared, (o) => o.OutputName, "No outputs.");
    const ended = TERMINAL.has(job.ProcessingJobStatus);
    await Promise.all(declared.map((output) => {
      const s3 = output.S3Output ?? {};
      let holder = holders.get(output.OutputName);
      if (!holder) {
        holder = h("div", { class: "artifacts" }, h("p", { class: "muted" },
          s3.S3UploadMode === "Continuous" ? "Listed as the job uploads them." : "Listed once the job has ended."));
        holders.set(output.OutputName, holder);
        objects.append(h("div", { class: "output", "data-output": output.OutputName },
          h("h3", {}, `Objects in ${output.OutputName}`), holder));
      }
      const folder = s3Folder(s3.S3Uri);
      const empty = job.ProcessingJobStatus === "Failed"
        ? (where) => `Nothing under ${where}: a failed job's outputs are not uploaded.` : undefined;
      return folder && (ended || s3.S3UploadMode === "Continuous") ? showObjects(holder, folder, empty) : null;
    }));
  }
}
