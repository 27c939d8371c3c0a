// A pipeline definition's steps as a graph drawn in inline SVG, as Studio's pipeline view
// draws it: a box per step (a condition's IfSteps/ElseSteps included), an arrow per
// dependency, laid out top to bottom by dependency depth; each box coloured by the StepStatus
// of one execution, cache hits marked.
//
// The dependencies are the engine's (definition.py): a step's DependsOn; every step whose
// properties its arguments read (each {"Get": "Steps.<name>..."} inside Arguments: a
// condition's Conditions only, not its branches); and, for a step in a condition's branch,
// that condition (the arrow labelled with the outcome that runs it). An arrow between
// adjacent rows goes straight down; one that passes rows runs down the right of their boxes,
// in a lane of its own. The layout is made once per definition, so that statuses change
// colours in place and the graph never moves.

import { svg } from "./ui.js";

const NODE_WIDTH = 220;
const NODE_HEIGHT = 56;
const GAP_X = 28;
const GAP_Y = 48;
const PAD = 12;
const LANE = 14; // arrows passing rows run down the right of those rows' boxes, each in a lane of its own
const LABEL_ROOM = 60;
const NAME_CHARS = 26; // what fits in a box at the console's font size
const DETAIL_CHARS = 32;
const STEP_REFERENCE = /^Steps\.([A-Za-z0-9_-]+)/;
const BRANCH_LABELS = { IfSteps: "if true", ElseSteps: "if false" };
let graphs = 0; // each graph's arrow marker needs an id of its own

// Every {"Get": ...} reference in an expression tree.
function gets(tree, found = []) {
  if (Array.isArray(tree)) tree.forEach((value) => gets(value, found));
  else if (tree && typeof tree === "object") {
    if (typeof tree.Get === "string") found.push(tree.Get);
    Object.values(tree).forEach((value) => gets(value, found));
  }
  return found;
}

// The definition's steps, flattened in definition order: [{name, type, displayName, upstream:
// Map(step it waits for -> the label of that arrow, "" for none)}].
export function definitionSteps(definition) {
  const steps = [];
  const collect = (items, parent, branch) => {
    for (const item of items ?? []) {
      const step = { name: item.Name, type: item.Type, displayName: item.DisplayName, raw: item, upstream: new Map() };
      if (parent) step.upstream.set(parent, BRANCH_LABELS[branch]);
      steps.push(step);
      if (item.Type === "Condition") {
        collect(item.Arguments?.IfSteps, item.Name, "IfSteps");
        collect(item.Arguments?.ElseSteps, item.Name, "ElseSteps");
      }
    }
  };
  collect(definition.Steps, null, null);
  const names = new Set(steps.map((s) => s.name));
  for (const step of steps) {
    const read = step.type === "Condition" ? step.raw.Arguments?.Conditions : step.raw.Arguments;
    const references = gets(read).map((r) => STEP_REFERENCE.exec(r)?.[1]);
    for (const name of [...(step.raw.DependsOn ?? []), ...references]) {
      if (name && names.has(name) && name !== step.name && !step.upstream.has(name)) step.upstream.set(name, "");
    }
  }
  return steps;
}

// Rows by dependency depth (a step sits one row below the deepest step it waits for), each row
// ordered by where the steps it waits for sit, then centred: {positions: Map(name -> {x, y,
// row}), rowRight: each row's right edge, width, height}.
export function layout(steps) {
  const byName = new Map(steps.map((s) => [s.name, s]));
  const depths = new Map();
  const depth = (step, visiting = new Set()) => {
    if (depths.has(step.name)) return depths.get(step.name);
    visiting.add(step.name);
    const ups = [...step.upstream.keys()].filter((n) => !visiting.has(n)).map((n) => depth(byName.get(n), visiting));
    visiting.delete(step.name);
    const d = ups.length ? Math.max(...ups) + 1 : 0;
    depths.set(step.name, d);
    return d;
  };
  const rows = [];
  steps.forEach((step) => { (rows[depth(step)] ??= []).push(step); });
  const slot = new Map(); // name -> its index within its row, for the next rows' order
  const order = new Map(steps.map((s, i) => [s.name, i]));
  const centre = (step) => {
    const ups = [...step.upstream.keys()].map((n) => slot.get(n)).filter((x) => x !== undefined);
    return ups.length ? ups.reduce((a, b) => a + b, 0) / ups.length : order.get(step.name);
  };
  const widest = Math.max(1, ...rows.map((r) => r.length));
  const width = PAD * 2 + widest * NODE_WIDTH + (widest - 1) * GAP_X;
  const rowRight = [];
  const positions = new Map();
  rows.forEach((row, y) => {
    row.sort((a, b) => centre(a) - centre(b) || order.get(a.name) - order.get(b.name));
    const rowWidth = row.length * NODE_WIDTH + (row.length - 1) * GAP_X;
    row.forEach((step, i) => {
      slot.set(step.name, i + (widest - row.length) / 2);
      const x = (width - rowWidth) / 2 + i * (NODE_WIDTH + GAP_X);
      positions.set(step.name, { x, y: PAD + y * (NODE_HEIGHT + GAP_Y), row: y });
      rowRight[y] = Math.max(rowRight[y] ?? 0, x + NODE_WIDTH);
    });
  });
  return { positions, rowRight, width,
    height: PAD * 2 + rows.length * NODE_HEIGHT + Math.max(0, rows.length - 1) * GAP_Y };
}

const cut = (text, chars) => (text.length > chars ? `${text.slice(0, chars - 1)}…` : text);

// A step's status as its box tells it: the StepStatus, a condition's outcome; "not started"
// for a step ListPipelineExecutionSteps does not list (yet, or at all: a branch not taken).
function statusText(record) {
  if (!record) return "not started";
  const outcome = record.Metadata?.Condition?.Outcome;
  return outcome ? `${record.StepStatus} (${outcome})` : record.StepStatus;
}

// definition: the parsed PipelineDefinition. update(records: Map(step name -> its
// ListPipelineExecutionSteps entry)) colours the boxes.
export function pipelineGraph(definition) {
  const steps = definitionSteps(definition);
  const { positions, rowRight, width: boxesWidth, height } = layout(steps);
  const marker = `dag-arrow-${++graphs}`;
  let lanes = 0;
  let width = boxesWidth;
  const edges = steps.flatMap((step) => [...step.upstream].map(([from, label]) => {
    const a = positions.get(from), b = positions.get(step.name);
    let d, labelAt;
    if (b.row - a.row > 1) { // along the gaps between rows, and down the right of the rows between
      lanes += 1;
      const x1 = a.x + NODE_WIDTH / 2, x2 = b.x + NODE_WIDTH / 2;
      // Near the boxes, clear of the labels mid-gap; arrows side by side in a gap do not merge.
      const shift = ((lanes % 3) - 1) * 4;
      const gap1 = a.y + NODE_HEIGHT + GAP_Y / 4 + shift, gap2 = b.y - GAP_Y / 4 + shift;
      const out = Math.max(x1, x2, ...rowRight.slice(a.row + 1, b.row)) + LANE * lanes;
      d = `M${x1},${a.y + NODE_HEIGHT} V${gap1} H${out} V${gap2} H${x2} V${b.y - 2}`;
      labelAt = { x: out + 4, y: (gap1 + gap2) / 2 + 4 };
      width = Math.max(width, out + (label ? LABEL_ROOM : PAD));
    } else { // from the bottom of one to the top of the next
      const x1 = a.x + NODE_WIDTH / 2, y1 = a.y + NODE_HEIGHT, x2 = b.x + NODE_WIDTH / 2, y2 = b.y - 2;
      const bend = (y2 - y1) / 2;
      d = `M${x1},${y1} C${x1},${y1 + bend} ${x2},${y2 - bend} ${x2},${y2}`;
      labelAt = { x: (x1 + x2) / 2 + 6, y: y1 + GAP_Y / 2 + 4 };
    }
    return svg("g", { class: "dag-edge", "data-from": from, "data-to": step.name },
      svg("path", { d, "marker-end": `url(#${marker})` }), label && svg("text", labelAt, label));
  }));
  const nodes = new Map();
  const boxes = steps.map((step) => {
    const { x, y } = positions.get(step.name);
    const title = svg("title");
    const status = svg("text", { class: "dag-status", x: 10, y: 42 });
    const cached = svg("text", { class: "dag-cached", x: NODE_WIDTH - 10, y: 19, "text-anchor": "end" });
    const box = svg("g", { class: "dag-step", "data-step": step.name, "data-type": step.type,
      transform: `translate(${x},${y})` },
    title, svg("rect", { width: NODE_WIDTH, height: NODE_HEIGHT, rx: 6 }),
    svg("text", { class: "dag-name", x: 10, y: 20 }, cut(step.displayName || step.name, NAME_CHARS)), status, cached);
    nodes.set(step.name, { box, title, status, cached, step });
    return box;
  });
  const element = svg("svg", { class: "dag", width, height, viewBox: `0 0 ${width} ${height}`, role: "img",
    "aria-label": `Pipeline graph: ${steps.length} steps` },
  svg("defs", {}, svg("marker", { id: marker, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7,
    orient: "auto-start-reverse" }, svg("path", { d: "M0,0 L10,5 L0,10 z" }))),
  edges, boxes);

  function update(records) {
    for (const [name, node] of nodes) {
      const record = records.get(name);
      const detail = `${node.step.type} · ${statusText(record)}`;
      const cacheHit = Boolean(record?.CacheHitResult);
      const title = `${node.step.name} (${detail})${cacheHit ? ", a cache hit" : ""}`;
      if (node.title.textContent === title) continue; // unchanged
      node.box.dataset.status = record?.StepStatus ?? "";
      node.status.textContent = cut(detail, DETAIL_CHARS);
      node.cached.textContent = cacheHit ? "cache hit" : "";
      if (cacheHit) node.box.dataset.cached = "true"; else delete node.box.dataset.cached;
      node.title.textContent = title;
    }
  }

  update(new Map());
  return { element, update, steps };
}
