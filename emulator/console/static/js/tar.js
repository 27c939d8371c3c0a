// The members of a .tar.gz in S3, read as the browser downloads it (gzip via
// DecompressionStream), without keeping the file: headers are read, file bodies skipped.

const BLOCK = 512;

export async function tarGzMembers(url, maxMembers = 500) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  const reader = response.body.pipeThrough(new DecompressionStream("gzip")).getReader();
  let chunk = new Uint8Array(0);
  let pos = 0;

  async function fill(n) { // at least n unread bytes in chunk, or false at the end
    while (chunk.length - pos < n) {
      const { done, value } = await reader.read();
      if (done) return false;
      const merged = new Uint8Array(chunk.length - pos + value.length);
      merged.set(chunk.subarray(pos));
      merged.set(value, chunk.length - pos);
      chunk = merged;
      pos = 0;
    }
    return true;
  }

  async function skip(n) {
    while (n > 0) {
      if (pos >= chunk.length) {
        const { done, value } = await reader.read();
        if (done) return;
        chunk = value;
        pos = 0;
      }
      const step = Math.min(n, chunk.length - pos);
      pos += step;
      n -= step;
    }
  }

  const decoder = new TextDecoder();
  const members = [];
  let longName = null;
  try {
    while (members.length < maxMembers && await fill(BLOCK)) {
      const header = chunk.subarray(pos, pos + BLOCK);
      pos += BLOCK;
      if (header.every((b) => b === 0)) break;
      const text = (from, to) => decoder.decode(header.subarray(from, to)).replace(/\0[\s\S]*$/, "");
      const size = parseInt(text(124, 136).trim() || "0", 8);
      const type = header[156] === 0 ? "0" : String.fromCharCode(header[156]);
      const padded = Math.ceil(size / BLOCK) * BLOCK;
      if (type === "L" || type === "x") { // GNU long name, or a pax header that may carry path=
        await fill(padded);
        const data = decoder.decode(chunk.subarray(pos, pos + size));
        pos += padded;
        longName = type === "L" ? data.replace(/\0[\s\S]*$/, "") : (/\d+ path=([^\n]*)\n/.exec(data)?.[1] ?? longName);
        continue;
      }
      const prefix = text(345, 500);
      const name = longName ?? (prefix ? `${prefix}/` : "") + text(0, 100);
      longName = null;
      if (type === "0" || type === "5") members.push({ name, size, directory: type === "5" });
      await skip(padded);
    }
  } finally {
    reader.cancel().catch(() => {});
  }
  return members;
}
