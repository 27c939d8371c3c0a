// Notebooks (#/notebooks): notebook instances (the list with its filters; Open JupyterLab, Start,
// Stop, Delete as each one's status allows) and Studio's spaces (each with its JupyterLab app's
// status; Open JupyterLab, Start: CreateApp, Stop: DeleteApp, as Studio stops a space; Delete).
// Open JupyterLab asks for a presigned URL (CreatePresignedNotebookInstanceUrl,
// CreatePresignedDomainUrl) and opens it in a new tab, as SageMaker's console does.

import { sagemaker } from "./aws.js";
import { listAll, listCall, resourceList } from "./lists.js";
import { errorNote, formatTime, h, keyedTable, mono, section, setContent, statusBadge } from "./ui.js";

const STATUSES = ["Pending", "InService", "Stopping", "Stopped", "Failed", "Deleting", "Updating"];
const REFRESH_MS = 2000;
const APP = { AppType: "JupyterLab", AppName: "default" };

// A tab opened now, while the click still counts as the user's (a popup blocker lets it through),
// sent to the URL once the API has answered; closed if it fails.
async function openInNewTab(presign, problem) {
  const tab = window.open("about:blank", "_blank");
  try {
    const { AuthorizedUrl } = await presign();
    if (tab) {
      tab.opener = null;
      tab.location.href = AuthorizedUrl;
    }
  } catch (error) {
    tab?.close();
    problem.replaceChildren(errorNote(error));
  }
}

// A button that calls act() once (disabled until the next refresh redraws it), its error in problem.
function action(label, enabled, act, problem, danger = false) {
  const button = h("button", { type: "button", class: danger ? "danger" : null, disabled: !enabled });
  button.textContent = label;
  button.addEventListener("click", async () => {
    button.disabled = true;
    problem.replaceChildren();
    try {
      await act();
    } catch (error) {
      problem.replaceChildren(errorNote(error));
    }
  });
  return button;
}

function instanceActions(instance, problem) {
  const name = instance.NotebookInstanceName;
  const status = instance.NotebookInstanceStatus;
  const call = (operation) => () => sagemaker(operation, { NotebookInstanceName: name });
  const remove = () => (window.confirm(`Delete notebook instance ${name}? Its files in /home/ec2-user/SageMaker go with it.`)
    ? sagemaker("DeleteNotebookInstance", { NotebookInstanceName: name }) : null);
  return h("div", { class: "buttons" },
    action("Open JupyterLab", status === "InService",
      () => openInNewTab(() => sagemaker("CreatePresignedNotebookInstanceUrl", { NotebookInstanceName: name }), problem),
      problem),
    action("Start", status === "Stopped" || status === "Failed", call("StartNotebookInstance"), problem),
    action("Stop", status === "InService", call("StopNotebookInstance"), problem),
    action("Delete", status === "Stopped" || status === "Failed", remove, problem, true));
}

export function notebooksPage(main, life) {
  const problem = h("div", { class: "problem" });
  resourceList(main, life, {
    title: "Notebooks",
    caption: "Notebook instances",
    statuses: STATUSES,
    key: (i) => i.NotebookInstanceName,
    list: async (params) => {
      const { items, next } = await listCall("ListNotebookInstances", "NotebookInstances")(params);
      const failed = items.filter((i) => i.NotebookInstanceStatus === "Failed");  // the summary has no reason
      const reasons = new Map(await Promise.all(failed.map(async (i) => [i.NotebookInstanceName,
        (await sagemaker("DescribeNotebookInstance", { NotebookInstanceName: i.NotebookInstanceName })).FailureReason])));
      return { items: items.map((i) => ({ ...i, reason: reasons.get(i.NotebookInstanceName) })), next };
    },
    columns: [
      { title: "Name", class: "name", render: (i) => i.NotebookInstanceName },
      { title: "Status", class: "status", render: (i) => statusBadge(i.NotebookInstanceStatus) },
      { title: "Instance type", render: (i) => i.InstanceType },
      { title: "Created", class: "time", render: (i) => formatTime(i.CreationTime) },
      { title: "Actions", class: "actions", render: (i) => instanceActions(i, problem) },
      { title: "Failure reason", render: (i) => i.reason ?? "" },
    ],
  });
  main.querySelector("h1").after(problem);
  main.append(spacesSection(life, problem));
}

// Studio's spaces in every domain, with their app: the newest JupyterLab app of each.
function spacesSection(life, problem) {
  const { table, update } = keyedTable("Studio spaces", [
    { title: "Space", class: "name", render: (s) => s.SpaceName },
    { title: "Domain", render: (s) => mono(s.DomainId) },
    { title: "Owner", render: (s) => s.OwnershipSettingsSummary?.OwnerUserProfileName ?? "Shared" },
    { title: "JupyterLab", class: "status", render: (s) => (s.app ? statusBadge(s.app.Status) : "Not started") },
    { title: "Actions", class: "actions", render: (s) => spaceActions(s, problem) },
  ]);

  async function refresh() {
    const spaces = await listAll("ListSpaces", { MaxResults: 100 }, "Spaces");
    const domains = [...new Set(spaces.map((s) => s.DomainId))];
    const apps = (await Promise.all(domains.map((d) => listAll("ListApps", { DomainIdEquals: d, MaxResults: 100 }, "Apps"))))
      .flat().filter((a) => a.AppType === "JupyterLab");
    const users = new Map(await Promise.all(domains.map(async (d) => [d,
      (await listAll("ListUserProfiles", { DomainIdEquals: d, MaxResults: 100 }, "UserProfiles"))[0]?.UserProfileName])));
    update(spaces.map((s) => ({
      ...s,
      user: s.OwnershipSettingsSummary?.OwnerUserProfileName ?? users.get(s.DomainId),
      app: apps.filter((a) => a.DomainId === s.DomainId && a.SpaceName === s.SpaceName)
        .sort((a, b) => b.CreationTime - a.CreationTime)[0],
    })), (s) => `${s.DomainId}/${s.SpaceName}`, "No Studio space yet.");
    table.dataset.loaded = "true";
  }
  // The list's own trouble, shown while it lasts (the actions' errors stay in `problem`).
  const unreadable = h("div", { class: "problem" });
  life.every(REFRESH_MS, async () => {
    try {
      await refresh();
      setContent(unreadable, null);
    } catch (error) {
      setContent(unreadable, errorNote(error));
    }
  });
  return section("Studio spaces", unreadable, h("div", { class: "table-wrap" }, table));
}

function spaceActions(space, problem) {
  const where = { DomainId: space.DomainId, SpaceName: space.SpaceName };
  const status = space.app?.Status;
  const live = ["Pending", "InService", "Deleting"].includes(status);
  const remove = () => (window.confirm(`Delete space ${space.SpaceName}? Its files go with it.`)
    ? sagemaker("DeleteSpace", where) : null);
  return h("div", { class: "buttons" },
    action("Open JupyterLab", status === "InService" && space.user, () => openInNewTab(
      () => sagemaker("CreatePresignedDomainUrl", { ...where, UserProfileName: space.user }), problem), problem),
    action("Start", !live, () => sagemaker("CreateApp", { ...where, ...APP }), problem),
    action("Stop", status === "InService" || status === "Failed",
      () => sagemaker("DeleteApp", { ...where, AppType: "JupyterLab", AppName: space.app.AppName }), problem),
    action("Delete", !live, remove, problem, true));
}
