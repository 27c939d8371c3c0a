// What every job's page shares (training, processing, tuning; pipelines alike): a header
// with the name, the live status and a Stop button, the failure reason, and one Describe
// every 2 s, drawn by the page's own render, until the job ends. Pages of a resource that
// never ends (a model package group or version) use it too, with no terminal status.

import { errorNote, formatDuration, h, setContent, statusBadge } from "./ui.js";

export const TERMINAL = new Set(["Completed", "Failed", "Stopped"]);
export const JOB_STATUSES = ["InProgress", "Completed", "Failed", "Stopping", "Stopped"];
const REFRESH_MS = 2000;

// From creation to the end, or to now while the job runs (a job that ended without an end
// time, such as one stopped before it started, ended when it last changed).
export function jobDuration(created, ended, status, lastModified) {
  const end = ended ?? (TERMINAL.has(status) ? lastModified : Date.now() / 1000);
  return formatDuration(end - created);
}

// spec: {describe: () => Promise<document>, status: (doc) => status, detail?: (doc) => secondary
//        status, stop?: () => Promise (the Stop button, offered while the status is
//        InProgress), sections: [elements below the header], render: (doc) => Promise|void,
//        terminal?: Set of statuses after which nothing changes (TERMINAL)}. A render that
//        throws is tried again at the next refresh, even once the job has ended.
export function jobPage(main, life, name, spec) {
  const terminal = spec.terminal ?? TERMINAL;
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
      return error.code !== "ValidationException"; // no such job: nothing more to wait for
    }
    const status = spec.status(job);
    if (stop) stop.disabled = status !== "InProgress";
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
