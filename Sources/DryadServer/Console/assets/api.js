// dryad console: the API, with the token the user pasted (kept in sessionStorage, sent only
// as an Authorization header), so every permission and audit rule of the API applies.

export const tokenKey = "dryad.token";

/// A failed API call: its HTTP status and the problem's detail.
export class APIError extends Error {
  constructor(code, detail) {
    super(detail);
    this.code = code;
  }
}

/// GET /api/v1 + path with the token; the parsed JSON, or an APIError.
export async function api(path) {
  const token = sessionStorage.getItem(tokenKey);
  if (!token) throw new APIError(401, "paste a token above to use the console");
  const response = await fetch("/api/v1" + path, { headers: { Authorization: "Bearer " + token, Accept: "application/json" } });
  const text = await response.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!response.ok) throw new APIError(response.status, (body && (body.detail || body.title)) || response.statusText);
  return body;
}

/// The Prometheus text of /metrics (an admin's token), as samples: name, labels, value.
export async function metrics() {
  const token = sessionStorage.getItem(tokenKey);
  const response = await fetch("/metrics", { headers: { Authorization: "Bearer " + token } });
  if (!response.ok) throw new APIError(response.status, "metrics are for admins");
  const samples = [];
  for (const line of (await response.text()).split("\n")) {
    const match = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? ([0-9.eE+-]+|NaN|\+Inf)$/);
    if (!match) continue;
    const labels = {};
    for (const pair of (match[3] || "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]] = pair[2];
    samples.push({ name: match[1], labels, value: Number(match[4]) });
  }
  return samples;
}

function sum(samples, name, predicate = () => true) {
  return samples.filter((s) => s.name === name && predicate(s.labels)).reduce((total, s) => total + s.value, 0);
}

/// Requests per second between two scrapes, the latency bucket holding the 99th percentile of
/// every request since start (an upper bound: histograms keep buckets, not values), and the
/// read cache's hit rate.
export function serverFigures(before, after, seconds) {
  const rate = (sum(after, "dryad_http_requests_total") - sum(before, "dryad_http_requests_total")) / seconds;
  const buckets = new Map();
  for (const s of after.filter((s) => s.name === "dryad_http_request_duration_seconds_bucket")) {
    buckets.set(s.labels.le, (buckets.get(s.labels.le) || 0) + s.value);
  }
  const total = buckets.get("+Inf") || 0;
  const bounds = [...buckets.entries()].filter(([le]) => le !== "+Inf").map(([le, count]) => [Number(le), count]).sort((a, b) => a[0] - b[0]);
  const p99 = total ? bounds.find(([, count]) => count >= 0.99 * total)?.[0] : undefined;
  const hits = sum(after, "dryad_read_cache_lookups_total", (l) => l.result === "hit");
  const misses = sum(after, "dryad_read_cache_lookups_total", (l) => l.result === "miss");
  return { rate, p99, hitRate: hits + misses ? hits / (hits + misses) : null };
}

/// The pages of a listing up to `max` items; `cut` says whether more were left out.
export async function all(path, max = 1000) {
  const items = [];
  let cursor = null;
  do {
    const separator = path.includes("?") ? "&" : "?";
    const page = await api(path + separator + "limit=1000" + (cursor ? "&cursor=" + encodeURIComponent(cursor) : ""));
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor && items.length < max);
  return { items: items.slice(0, max), cut: Boolean(cursor) || items.length > max };
}
