// The S3 objects under a folder (a job's artifacts, a processing output): each object's path
// below the folder, its size, a download link, and the files inside each .tar.gz (read as it
// streams, not kept). Listed again only when asked; redrawn only when the objects changed. A
// listing that fails is shown and thrown, so that the page's refresh tries it again (Chromium
// drops requests in flight when a container's network interface comes or goes). And the JSON
// reports a page shows (a model's metrics, a monitoring execution's violations), read once.

import { ApiError, parseS3Uri, s3ListObjects, s3ObjectUrl } from "./aws.js";
import { tarGzMembers } from "./tar.js";
import { errorNote, formatBytes, h } from "./ui.js";

const MAX_TAR_BYTES = 256 * 1024 * 1024;

// "s3://bucket/a/b" or "s3://bucket/a/b/" -> {bucket, prefix: "a/b/"}; the bucket's root -> prefix "".
export function s3Folder(uri) {
  const parsed = parseS3Uri(uri);
  if (!parsed) return null;
  const key = parsed.key.replace(/\/+$/, "");
  return { bucket: parsed.bucket, prefix: key ? `${key}/` : "" };
}

// Lists folder ({bucket, prefix}) into holder; empty(where) says what an empty folder means.
export async function showObjects(holder, folder, empty = (where) => `Nothing under ${where} yet.`) {
  let objects;
  try {
    objects = await s3ListObjects(folder.bucket, folder.prefix);
  } catch (error) {
    holder.replaceChildren(errorNote(error));
    delete holder.dataset.listed;
    throw error;
  }
  const listed = objects.map((o) => `${o.key}\n${o.size}\n${o.lastModified.getTime()}`).join("\n") || "none";
  if (holder.dataset.listed === listed) return; // unchanged: keep the links and .tar.gz contents shown
  holder.dataset.listed = listed;
  const where = `s3://${folder.bucket}/${folder.prefix}`;
  if (!objects.length) {
    holder.replaceChildren(h("p", { class: "muted" }, empty(where)));
    return;
  }
  const list = h("ul", { class: "artifact-list" });
  holder.replaceChildren(h("p", { class: "muted" }, where), list);
  for (const object of objects) {
    const url = s3ObjectUrl(folder.bucket, object.key);
    const contents = h("div", { class: "tar-contents" });
    list.append(h("li", { "data-key": object.key },
      h("a", { href: url, download: object.key.split("/").pop() }, object.key.slice(folder.prefix.length)),
      h("span", { class: "muted" }, ` ${formatBytes(object.size)}`), contents));
    if (object.key.endsWith(".tar.gz") && object.size <= MAX_TAR_BYTES) {
      tarGzMembers(url).then((members) => {
        contents.replaceChildren(h("ul", { class: "members", "aria-label": `Files in ${object.key}` },
          members.filter((m) => !m.directory).map((m) => h("li", {}, h("span", { class: "mono" }, m.name),
            h("span", { class: "muted" }, ` ${formatBytes(m.size)}`)))));
      }).catch((error) => contents.replaceChildren(errorNote(error)));
    }
  }
}

// The S3 object at uri, parsed: null when it is not JSON; ApiError when it cannot be read.
export async function readJson(uri) {
  const where = parseS3Uri(uri);
  if (!where?.key) throw new ApiError("InvalidUri", `${uri} does not name an S3 object`);
  const response = await fetch(s3ObjectUrl(where.bucket, where.key));
  const text = await response.text();
  if (!response.ok) {
    const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
    throw new ApiError(code || String(response.status), `GET ${uri}: HTTP ${response.status}`);
  }
  try { return JSON.parse(text); } catch { return null; }
}

// readJson once per uri for as long as the page lives (a failed read is tried again when asked
// again): read(uri) => Promise<{report} | {error}>.
export function jsonReader() {
  const reports = new Map();
  return async (uri) => {
    if (!reports.has(uri)) {
      const reading = readJson(uri);
      reports.set(uri, reading);
      reading.catch(() => reports.delete(uri));
    }
    try {
      return { report: await reports.get(uri) };
    } catch (error) {
      return { error };
    }
  };
}
