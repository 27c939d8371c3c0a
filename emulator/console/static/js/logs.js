// A live tail of CloudWatch Logs streams (DescribeLogStreams, GetLogEvents), one stream shown
// at a time, following new events while the page is open.

import { logs } from "./aws.js";
import { h } from "./ui.js";

const MAX_LINES = 5000;
let counter = 0;

export function logTail(group, streamPrefix, life) {
  const id = `log-stream-${++counter}`;
  const select = h("select", { id });
  const pre = h("pre", { class: "log", tabindex: "0", role: "log", "aria-label": `Log events of ${group}` });
  const note = h("p", { class: "muted" }, "Waiting for log events…");
  const element = h("div", { class: "log-tail" },
    h("div", { class: "log-controls" }, h("label", { for: id }, "Log stream "), select,
      h("span", { class: "muted" }, ` ${group}`)),
    note, pre);
  let stream = null;
  let token = null;

  select.addEventListener("change", () => {
    stream = select.value;
    token = null;
    pre.replaceChildren();
    poll();
  });

  async function streams() {
    try {
      // An empty prefix is not a prefix to CloudWatch Logs (its minimum length is 1): leave it out.
      const found = await logs("DescribeLogStreams",
        { logGroupName: group, ...(streamPrefix ? { logStreamNamePrefix: streamPrefix } : {}) });
      return found.logStreams.map((s) => s.logStreamName).sort();
    } catch (error) {
      if (error.code === "ResourceNotFoundException") return [];
      throw error;
    }
  }

  async function poll() {
    const names = await streams();
    if (names.join("\n") !== [...select.options].map((o) => o.value).join("\n")) {
      select.replaceChildren(...names.map((n) => h("option", { value: n }, n)));
      if (stream) select.value = stream;
    }
    if (!stream && names.length) stream = names[0];
    if (!stream) return;
    const wanted = stream;
    for (let page = 0; page < 20; page += 1) {
      const answer = await logs("GetLogEvents", { logGroupName: group, logStreamName: wanted, startFromHead: true,
        ...(token ? { nextToken: token } : {}) });
      if (wanted !== stream) return; // the user picked another stream meanwhile
      append(answer.events);
      const done = answer.nextForwardToken === token || !answer.events.length;
      token = answer.nextForwardToken;
      if (done) break;
    }
  }

  function append(events) {
    if (!events.length) return;
    note.hidden = true;
    const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
    const text = events.map((e) => `${new Date(e.timestamp).toLocaleTimeString()}  ${e.message}\n`).join("");
    pre.append(text);
    if (pre.childNodes.length > MAX_LINES / 10) pre.normalize();
    const lines = pre.textContent.split("\n");
    if (lines.length > MAX_LINES) pre.textContent = lines.slice(-MAX_LINES).join("\n");
    if (atBottom) pre.scrollTop = pre.scrollHeight;
  }

  life.every(2000, poll);
  return element;
}
