// A resource list: filters, newest first, pages of PAGE_SIZE through NextToken, refreshed in
// place every few seconds. Every list page is one of these.

import { sagemaker } from "./aws.js";
import { errorNote, h, keyedTable } from "./ui.js";

const PAGE_SIZE = 50;
const REFRESH_MS = 2000;

// spec: {title, caption, list: (List* params) => Promise<{items, next}>, key, columns,
//        statuses: [...] (a status filter), nameLabel: what the name filter is called ("Name
//        contains": a list with a prefix filter instead says so, and maps NameContains to it)}
export function resourceList(main, life, spec) {
  const nameInput = h("input", { type: "search", id: "filter-name", name: "name", autocomplete: "off" });
  const statusSelect = spec.statuses
    ? h("select", { id: "filter-status", name: "status" },
      h("option", { value: "" }, "Any status"), spec.statuses.map((s) => h("option", { value: s }, s)))
    : null;
  const { table, update } = keyedTable(spec.caption || spec.title, spec.columns);
  const previous = h("button", { type: "button", disabled: true }, "Previous page");
  const next = h("button", { type: "button", disabled: true }, "Next page");
  const pageLabel = h("span", { class: "muted", "aria-live": "polite" }, "Page 1");
  const problem = h("div", { class: "problem" });
  main.append(
    h("h1", {}, spec.title),
    h("form", { class: "filters", role: "search", onsubmit: (e) => e.preventDefault() },
      h("label", { for: "filter-name" }, spec.nameLabel ?? "Name contains"), nameInput,
      statusSelect && [h("label", { for: "filter-status" }, "Status"), statusSelect]),
    problem,
    h("div", { class: "table-wrap" }, table),
    h("div", { class: "pager" }, previous, pageLabel, next));

  let tokens = [null]; // tokens[i]: the NextToken that opens page i
  let page = 0;
  let generation = 0;

  async function refresh() {
    const mine = generation;
    const params = { MaxResults: PAGE_SIZE, SortBy: "CreationTime", SortOrder: "Descending" };
    if (nameInput.value.trim()) params.NameContains = nameInput.value.trim();
    if (statusSelect?.value) params.StatusEquals = statusSelect.value;
    if (tokens[page]) params.NextToken = tokens[page];
    try {
      const { items, next: nextToken } = await spec.list(params);
      if (mine !== generation) return;
      problem.replaceChildren();
      tokens[page + 1] = nextToken || null;
      tokens.length = page + 2;
      const empty = params.NameContains || params.StatusEquals ? "Nothing matches." : "None yet.";
      update(items, spec.key, empty);
      previous.disabled = page === 0;
      next.disabled = !nextToken;
      pageLabel.textContent = `Page ${page + 1}`;
      table.dataset.loaded = "true";
    } catch (error) {
      if (mine === generation) problem.replaceChildren(errorNote(error));
    }
  }

  const restart = () => { generation += 1; refresh(); };
  let typing = null;
  nameInput.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(() => { tokens = [null]; page = 0; restart(); }, 250);
  });
  statusSelect?.addEventListener("change", () => { tokens = [null]; page = 0; restart(); });
  previous.addEventListener("click", () => { page = Math.max(0, page - 1); restart(); });
  next.addEventListener("click", () => { if (tokens[page + 1]) { page += 1; restart(); } });
  life.every(REFRESH_MS, refresh);
}

// A List* operation as a spec's list: its page of summaries under member, and its NextToken.
export const listCall = (operation, member) => async (params) => {
  const answer = await sagemaker(operation, params);
  return { items: answer[member], next: answer.NextToken };
};

// A list whose summaries lack what a column shows (a processing job's instances, a tuning job's
// best objective): describe(item) => Promise<detail> runs for each item at every refresh until
// settled(item, detail) says that what it read can no longer change, then never again; each item
// comes with its latest detail (undefined until a Describe succeeded: a failed one is tried again
// at the next refresh, the previous detail kept meanwhile).
export function describedUntil(list, key, describe, settled) {
  const details = new Map();
  const final = new Set();
  return async (params) => {
    const answer = await list(params);
    await Promise.all(answer.items.filter((item) => !final.has(key(item))).map(async (item) => {
      try {
        const detail = await describe(item);
        details.set(key(item), detail);
        if (settled(item, detail)) final.add(key(item));
      } catch (error) {
        console.warn(error);
      }
    }));
    return { ...answer, items: answer.items.map((item) => ({ ...item, detail: details.get(key(item)) })) };
  };
}

// What never changes (a processing job's instances): described once per item.
export const describedOnce = (list, key, describe) => describedUntil(list, key, describe, () => true);

// Every page of a List* operation: its members under member, in the order it answers them.
export async function listAll(operation, params, member) {
  const items = [];
  let token = null;
  do {
    const answer = await sagemaker(operation, { ...params, ...(token ? { NextToken: token } : {}) });
    items.push(...answer[member]);
    token = answer.NextToken;
  } while (token);
  return items;
}
