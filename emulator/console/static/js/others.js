// Models, endpoint configurations and transform jobs: lists only.

import { sagemaker } from "./aws.js";
import { resourceList } from "./lists.js";
import { formatDuration, formatTime, h, statusBadge } from "./ui.js";

const listOf = (operation, member) => async (params) => {
  const answer = await sagemaker(operation, params);
  return { items: answer[member], next: answer.NextToken };
};
const mono = (text) => h("span", { class: "mono" }, text);

export function modelsPage(main, life) {
  resourceList(main, life, {
    title: "Models",
    key: (m) => m.ModelName,
    list: listOf("ListModels", "Models"),
    columns: [
      { title: "Name", class: "name", render: (m) => m.ModelName },
      { title: "Created", class: "time", render: (m) => formatTime(m.CreationTime) },
      { title: "ARN", render: (m) => mono(m.ModelArn) },
    ],
  });
}

export function endpointConfigsPage(main, life) {
  resourceList(main, life, {
    title: "Endpoint configurations",
    key: (c) => c.EndpointConfigName,
    list: listOf("ListEndpointConfigs", "EndpointConfigs"),
    columns: [
      { title: "Name", class: "name", render: (c) => c.EndpointConfigName },
      { title: "Created", class: "time", render: (c) => formatTime(c.CreationTime) },
      { title: "ARN", render: (c) => mono(c.EndpointConfigArn) },
    ],
  });
}

export function transformJobsPage(main, life) {
  resourceList(main, life, {
    title: "Transform jobs",
    statuses: ["InProgress", "Completed", "Failed", "Stopping", "Stopped"],
    key: (t) => t.TransformJobName,
    list: listOf("ListTransformJobs", "TransformJobSummaries"),
    columns: [
      { title: "Name", class: "name", render: (t) => t.TransformJobName },
      { title: "Status", class: "status", render: (t) => statusBadge(t.TransformJobStatus) },
      { title: "Created", class: "time", render: (t) => formatTime(t.CreationTime) },
      { title: "Duration", class: "num", render: (t) => formatDuration((t.TransformEndTime ?? Date.now() / 1000) - t.CreationTime) },
      { title: "Failure reason", render: (t) => t.FailureReason ?? "" },
    ],
  });
}
