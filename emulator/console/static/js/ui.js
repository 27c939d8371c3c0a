// Small DOM helpers shared by the pages: building elements, formatting, tables that update
// in place (so a refresh neither jumps nor steals keyboard focus), polling.

export const h = (tag, attrs = {}, ...children) => filled(document.createElement(tag), attrs, children);

// The same for SVG elements (a pipeline's graph): h's attributes and children, in SVG's namespace.
export const svg = (tag, attrs = {}, ...children) =>
  filled(document.createElementNS("http://www.w3.org/2000/svg", tag), attrs, children);

function filled(element, attrs, children) {
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? "" : value);
  }
  element.append(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  return element;
}

// Same content, same DOM: replace only when what it shows changed.
export function setContent(element, ...children) {
  const next = h("div", {}, ...children);
  if (next.innerHTML !== element.innerHTML) element.replaceChildren(...next.childNodes);
}

export const seconds = (value) => (value === undefined || value === null ? null : Number(value));

export function formatTime(epochSeconds) {
  if (epochSeconds === null || epochSeconds === undefined) return "—";
  return new Date(epochSeconds * 1000).toLocaleString(undefined, {
    year: "numeric", month: "short", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit",
  });
}

export function formatDuration(totalSeconds) {
  if (totalSeconds === null || totalSeconds === undefined || Number.isNaN(totalSeconds)) return "—";
  const s = Math.max(0, Math.round(totalSeconds));
  const hours = Math.floor(s / 3600), minutes = Math.floor((s % 3600) / 60), rest = s % 60;
  if (hours) return `${hours} h ${minutes} min`;
  if (minutes) return `${minutes} min ${rest} s`;
  return `${rest} s`;
}

export function formatBytes(n) {
  if (n === null || n === undefined) return "—";
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = n, unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit += 1; }
  return `${unit ? value.toFixed(1) : value} ${units[unit]}`;
}

// A metric's or an objective's value: six significant digits, as most reports print them.
export function formatNumber(value) {
  if (value === null || value === undefined || value === "") return "—";
  const number = Number(value);
  return Number.isFinite(number) ? String(Number(number.toPrecision(6))) : String(value);
}

export function statusBadge(status, detail) {
  const label = detail && detail !== status ? `${status} · ${detail}` : status;
  return h("span", { class: `badge status-${String(status).toLowerCase()}`, "data-status": status }, label);
}

export function errorNote(error) {
  return h("p", { class: "error", role: "alert" }, `${error.code ? error.code + ": " : ""}${error.message}`);
}

export const mono = (text) => h("span", { class: "mono" }, text);

// A map (an Environment, metadata properties) as KEY=value lines; null when empty.
export const keyValues = (map) => (Object.keys(map ?? {}).length
  ? h("ul", { class: "plain" }, Object.entries(map).map(([k, v]) => h("li", {}, mono(`${k}=${v}`)))) : null);

// A ResourceConfig or ClusterConfig: "2 × ml.m5.large".
export const instances = (c) => (c?.InstanceType ? `${c.InstanceCount} × ${c.InstanceType}` : "—");

// A link to a resource's page: #/<route>/<name>.
export const linkTo = (route, name) => h("a", { href: `#/${route}/${encodeURIComponent(name)}` }, name);

export function field(label, value) {
  return [h("dt", {}, label), h("dd", {}, value ?? "—")];
}

export function section(title, ...children) {
  const id = `section-${title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
  return h("section", { "aria-labelledby": id }, h("h2", { id }, title), ...children);
}

// A table whose rows are kept by key: a refresh updates cells in place.
export function keyedTable(caption, columns) {
  const tbody = h("tbody");
  const table = h("table", { class: "list" },
    h("caption", { class: "visually-hidden" }, caption),
    h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col", class: c.class?.replace("mono", "") }, c.title)))),
    tbody);
  const rows = new Map();
  function update(items, key, empty = "None yet.") {
    const wanted = items.map(key);
    for (const [k, row] of rows) if (!wanted.includes(k)) { row.remove(); rows.delete(k); }
    let previous = null;
    items.forEach((item, index) => {
      const k = wanted[index];
      let row = rows.get(k);
      if (!row) {
        row = h("tr", { "data-key": k }, columns.map((c) => h("td", { class: c.class })));
        rows.set(k, row);
      }
      columns.forEach((c, i) => setContent(row.children[i], c.render(item)));
      const expected = previous ? previous.nextSibling : tbody.firstChild;
      if (expected !== row) tbody.insertBefore(row, expected);
      previous = row;
    });
    tbody.querySelector("tr.empty")?.remove();
    if (!items.length) {
      tbody.append(h("tr", { class: "empty" }, h("td", { colspan: columns.length }, empty)));
    }
  }
  return { table, update };
}

// What a page runs while it is shown; stopped when the user navigates away.
export class PageLife {
  constructor() { this.timers = new Set(); this.alive = true; this.cleanups = []; }

  // Run fn now and then every ms until it returns false or the page goes.
  every(ms, fn) {
    const tick = async () => {
      if (!this.alive) return;
      let again = true;
      try { again = (await fn()) !== false; } catch (error) { console.error(error); }
      if (!again || !this.alive) return;
      const timer = setTimeout(() => { this.timers.delete(timer); tick(); }, ms);
      this.timers.add(timer); // only pending ones: a page open for hours keeps no list of old timers
    };
    tick();
  }

  onEnd(fn) { this.cleanups.push(fn); }

  end() {
    this.alive = false;
    this.timers.forEach(clearTimeout);
    this.cleanups.forEach((fn) => fn());
  }
}
