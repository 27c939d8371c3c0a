// Models, endpoint configurations and transform jobs: lists only.

import { listCall, resourceList } from "./lists.js";
import { formatDuration, formatTime, mono, statusBadge } from "./ui.js";

// Models and endpoint configurations list the same three things, under their own member names.
function namedResourcesPage(title, operation, member, prefix) {
  return (main, life) => resourceList(main, life, {
    title,
    key: (r) => r[`${prefix}Name`],
    list: listCall(operation, member),
    columns: [
      { title: "Name", class: "name", render: (r) => r[`${prefix}Name`] },
      { title: "Created", class: "time", render: (r) => formatTime(r.CreationTime) },
      { title: "ARN", render: (r) => mono(r[`${prefix}Arn`]) },
    ],
  });
}

export const modelsPage = namedResourcesPage("Models", "ListModels", "Models", "Model");
export const endpointConfigsPage = namedResourcesPage("Endpoint configurations", "ListEndpointConfigs",
  "EndpointConfigs", "EndpointConfig");

export function transformJobsPage(main, life) {
  resourceList(main, life, {
    title: "Transform jobs",
    statuses: ["InProgress", "Completed", "Failed", "Stopping", "Stopped"],
    key: (t) => t.TransformJobName,
    list: listCall("ListTransformJobs", "TransformJobSummaries"),
    columns: [
      { title: "Name", class: "name", render: (t) => t.TransformJobName },
      { title: "Status", class: "status", render: (t) => statusBadge(t.TransformJobStatus) },
      { title: "Created", class: "time", render: (t) => formatTime(t.CreationTime) },
      { title: "Duration", class: "num", render: (t) => formatDuration((t.TransformEndTime ?? Date.now() / 1000) - t.CreationTime) },
      { title: "Failure reason", render: (t) => t.FailureReason ?? "" },
    ],
  });
}
