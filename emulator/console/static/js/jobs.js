// What every job's page shares (training, processing, tuning; pipelines alike): a header
// with the name, the live status and a Stop button, the failure reason, and one Describe
// every 2 s, drawn by the page's own render, until the job ends. Pages of a resource that
// never ends (a model package group or version) use it too, with no terminal status. And a
// job's name from its ARN, for what names a job by ARN alone (a pipeline step, a monitoring
// execution).

import { listAll } from "./lists.js";
import { errorNote, formatDuration, h, linkTo, mono, setContent, statusBadge } from "./ui.js";

export const TERMINAL = new Set(["Completed", "Failed", "Stopped"]);
export const JOB_STATUSES = ["InProgress", "Completed", "Failed", "Stopping", "Stopped"];
const REFRESH_MS = 2000;

// From creation to the end, or to now while the job runs (a job that ended without an end
// time, such as one stopped before it started, ended when it last changed); terminal: the
// statuses it ends in.
export function jobDuration(created, ended, status, lastModified, terminal = TERMINAL) {
  const end = ended ?? (terminal.has(status) ? lastModified : Date.now() / 1000);
  return formatDuration(end - created);
}

// spec: {describe: () => Promise<document>, status: (doc) => status, detail?: (doc) => secondary
//        status, stop?: () => Promise (the Stop button, offered while the status is running:
//        InProgress unless the spec says), sections: [elements below the header], render: (doc) => Promise|void,
//        terminal?: Set of statuses after which nothing changes (TERMINAL)}. A render that
//        throws is tried again at the next refresh, even once the job has ended.
export function jobPage(main, life, name, spec) {
  const terminal = spec.terminal ?? TERMINAL;
  const running = spec.running ?? "InProgress";
  const header = h("div", { class: "page-head" });
  const failure = h("div", { class: "problem" });
  const stopProblem = h("div", { class: "problem" });
  const stop = spec.stop && h("button", { type: "button", class: "danger", disabled: true, onclick: stopJob }, "Stop");
  main.append(header, failure, stopProblem, ...spec.sections);

  async function stopJob() {
    stop.disabled = true;
    stopProblem.replaceChildren();
    try {
      await spec.stop();
    } catch (error) {
      stopProblem.replaceChildren(errorNote(error));
    }
  }

  async function refresh() {
    let job;
    try {
      job = await spec.describe();
    } catch (error) {
      if (!header.firstChild) header.append(h("h1", {}, name));
      failure.replaceChildren(errorNote(error));
      // No such job (SageMaker says so with either code): nothing more to wait for.
      return !["ValidationException", "ResourceNotFound"].includes(error.code);
    }
    const status = spec.status(job);
    if (stop) stop.disabled = status !== running;
    if (!header.firstChild) {
      header.append(h("h1", {}, name), h("span", { class: "head-status" }), ...(stop ? [stop] : []));
      main.focus();
    }
    setContent(header.querySelector(".head-status"), statusBadge(status, spec.detail?.(job)));
    setContent(failure, job.FailureReason ? h("p", { class: "error", role: "alert" }, `Failure reason: ${job.FailureReason}`) : null);
    await spec.render(job); // a throw: PageLife logs it and calls refresh again
    return !terminal.has(status);
  }

  life.every(REFRESH_MS, refresh);
}

// The kinds of job a pipeline step runs, by their Metadata member: the List* operation that
// finds one and the console's page of it (transform jobs have none).
const JOB_KINDS = {
  TrainingJob: { list: "ListTrainingJobs", prefix: "TrainingJob", route: "training-jobs" },
  ProcessingJob: { list: "ListProcessingJobs", prefix: "ProcessingJob", route: "processing-jobs" },
  TransformJob: { list: "ListTransformJobs", prefix: "TransformJob", route: null },
  TuningJob: { list: "ListHyperParameterTuningJobs", prefix: "HyperParameterTuningJob", route: "tuning-jobs" },
};
const namesByArn = new Map(); // a job's name never changes: found once per page load

// A job's ARN has its name in lower case (AWS's, and the emulator's, form), so the name is
// found by listing the jobs whose names contain each of hints (case and all), and taking the
// one of that ARN; null when none is.
export async function jobNameFromArn(kind, arn, hints) {
  if (!namesByArn.has(arn)) {
    const { list, prefix } = JOB_KINDS[kind];
    for (const hint of hints.filter(Boolean)) {
      const found = await listAll(list, { NameContains: hint, MaxResults: 100 }, `${prefix}Summaries`);
      const job = found.find((j) => j[`${prefix}Arn`] === arn);
      if (job) { namesByArn.set(arn, job[`${prefix}Name`]); break; }
    }
  }
  return namesByArn.get(arn) ?? null;
}

export const isJobKind = (kind) => kind in JOB_KINDS;

// A link to the job's page (its name alone where it has none; its ARN until the name is known).
export function jobLink(kind, arn, name) {
  if (!name) return mono(arn);
  const route = JOB_KINDS[kind].route;
  return route ? linkTo(route, name) : mono(name);
}
