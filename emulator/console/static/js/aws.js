// The console's only way into the emulator: the AWS APIs it serves, over HTTP, as any client.
// Requests carry a SigV4-shaped Authorization header naming the service and region (the
// emulator routes on it and, like SageMaker local tools, does not check signatures).

const REGION = document.querySelector('meta[name="aws-region"]').content;

export class ApiError extends Error {
  constructor(code, message, status) {
    super(message || code);
    this.code = code;
    this.status = status;
  }
}

function authorization(service) {
  const day = new Date().toISOString().slice(0, 10).replaceAll("-", "");
  return `AWS4-HMAC-SHA256 Credential=console/${day}/${REGION}/${service}/aws4_request, ` +
    "SignedHeaders=host, Signature=console";
}

async function rpc(service, targetPrefix, jsonVersion, operation, params) {
  const response = await fetch("/", {
    method: "POST",
    headers: {
      Authorization: authorization(service),
      "X-Amz-Target": `${targetPrefix}.${operation}`,
      "Content-Type": `application/x-amz-json-${jsonVersion}`,
    },
    body: JSON.stringify(params || {}),
  });
  const text = await response.text();
  let body = {};
  try { body = text ? JSON.parse(text) : {}; } catch { body = { message: text }; }
  if (!response.ok) {
    const code = (body.__type || response.headers.get("x-amzn-ErrorType") || String(response.status))
      .split("#").pop().split(":")[0];
    throw new ApiError(code, body.message || body.Message || text, response.status);
  }
  return body;
}

// An idempotency token, as AWS SDKs fill a ClientRequestToken the caller leaves out (a version
// 4 UUID; getRandomValues, since randomUUID needs a secure context the console may lack).
export function clientToken() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const sagemaker = (operation, params) => rpc("sagemaker", "SageMaker", "1.1", operation, params);
export const logs = (operation, params) => rpc("logs", "Logs_20140328", "1.1", operation, params);
export const cloudwatch = (operation, params) =>
  rpc("monitoring", "GraniteServiceVersion20100801", "1.0", operation, params);

// S3: "s3://bucket/key" -> {bucket, key}
export function parseS3Uri(uri) {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri || "");
  return match ? { bucket: match[1], key: match[2] } : null;
}

export function s3ObjectUrl(bucket, key) {
  return `/${encodeURIComponent(bucket)}/${key.split("/").map(encodeURIComponent).join("/")}`;
}

// ListObjectsV2, every page.
export async function s3ListObjects(bucket, prefix) {
  const objects = [];
  let token = null;
  do {
    const query = new URLSearchParams({ "list-type": "2", prefix });
    if (token) query.set("continuation-token", token);
    const response = await fetch(`/${encodeURIComponent(bucket)}?${query}`,
      { headers: { Authorization: authorization("s3") } });
    const xml = new DOMParser().parseFromString(await response.text(), "application/xml");
    const field = (node, name) => node.getElementsByTagName(name)[0]?.textContent ?? "";
    if (!response.ok) throw new ApiError(field(xml, "Code") || String(response.status), field(xml, "Message"));
    for (const node of xml.getElementsByTagName("Contents")) {
      objects.push({ key: field(node, "Key"), size: Number(field(node, "Size")),
        lastModified: new Date(field(node, "LastModified")) });
    }
    token = field(xml, "IsTruncated") === "true" ? field(xml, "NextContinuationToken") : null;
  } while (token);
  return objects;
}

// InvokeEndpoint (the runtime's REST API).
export async function invokeEndpoint(endpoint, contentType, accept, body) {
  const headers = { Authorization: authorization("sagemaker"), "Content-Type": contentType };
  if (accept) headers.Accept = accept;
  const started = performance.now();
  const response = await fetch(`/endpoints/${encodeURIComponent(endpoint)}/invocations`,
    { method: "POST", headers, body });
  const text = await response.text();
  const elapsed = performance.now() - started;
  if (!response.ok) {
    let message = text;
    try { message = JSON.parse(text).message || text; } catch { /* not JSON */ }
    throw new ApiError(response.headers.get("x-amzn-ErrorType") || String(response.status), message, response.status);
  }
  return { status: response.status, contentType: response.headers.get("Content-Type"),
    variant: response.headers.get("x-Amzn-Invoked-Production-Variant"), body: text, elapsed };
}
