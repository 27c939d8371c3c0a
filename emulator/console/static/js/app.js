// The console's router: location.hash -> page. Routes are data; each page gets <main> and a
// PageLife whose timers stop when the user goes elsewhere.

import { endpointPage, endpointsPage } from "./endpoints.js";
import { notebooksPage } from "./notebooks.js";
import { endpointConfigsPage, modelsPage, transformJobsPage } from "./others.js";
import { pipelineExecutionPage, pipelinePage, pipelinesPage } from "./pipelines.js";
import { processingJobPage, processingJobsPage } from "./processing.js";
import { modelGroupPage, modelRegistryPage, modelVersionPage } from "./registry.js";
import { trainingJobPage, trainingJobsPage } from "./training.js";
import { tuningJobPage, tuningJobsPage } from "./tuning.js";
import { PageLife } from "./ui.js";

const ROUTES = [
  [/^#\/training-jobs\/(.+)$/, trainingJobPage, "Training job"],
  [/^#\/training-jobs$/, trainingJobsPage, "Training jobs"],
  [/^#\/tuning-jobs\/(.+)$/, tuningJobPage, "Tuning job"],
  [/^#\/tuning-jobs$/, tuningJobsPage, "Tuning jobs"],
  [/^#\/processing-jobs\/(.+)$/, processingJobPage, "Processing job"],
  [/^#\/processing-jobs$/, processingJobsPage, "Processing jobs"],
  [/^#\/pipelines\/([^/]+)\/executions\/([^/]+)$/, pipelineExecutionPage, "Pipeline execution"],
  [/^#\/pipelines\/([^/]+)$/, pipelinePage, "Pipeline"],
  [/^#\/pipelines$/, pipelinesPage, "Pipelines"],
  [/^#\/endpoints\/(.+)$/, endpointPage, "Endpoint"],
  [/^#\/endpoints$/, endpointsPage, "Endpoints"],
  [/^#\/models$/, modelsPage, "Models"],
  [/^#\/model-registry\/([^/]+)\/(\d+)$/, modelVersionPage, "Model package version"],
  [/^#\/model-registry\/([^/]+)$/, modelGroupPage, "Model package group"],
  [/^#\/model-registry$/, modelRegistryPage, "Model registry"],
  [/^#\/endpoint-configs$/, endpointConfigsPage, "Endpoint configurations"],
  [/^#\/transform-jobs$/, transformJobsPage, "Transform jobs"],
  [/^#\/notebooks$/, notebooksPage, "Notebooks"],
];

const main = document.getElementById("main");
let life = null;

function show() {
  const hash = location.hash || "#/training-jobs";
  if (!hash.startsWith("#/")) return; // an in-page anchor such as the skip link
  const route = ROUTES.find(([pattern]) => pattern.test(hash));
  if (!route) { location.replace("#/training-jobs"); return; }
  const [pattern, page, title] = route;
  const params = pattern.exec(hash).slice(1).map(decodeURIComponent);
  life?.end();
  life = new PageLife();
  main.replaceChildren();
  document.title = `${params[0] ?? title} · SageMaker emulator`;
  for (const a of document.querySelectorAll("header nav a")) {
    const current = hash === a.getAttribute("href") || hash.startsWith(`${a.getAttribute("href")}/`);
    if (current) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
  }
  page(main, life, ...params);
}

window.addEventListener("hashchange", show);
show();
