// dryad console: plain ES module, no framework. It calls /api/v1 with the bearer token the
// user pastes (kept in sessionStorage, never in a cookie), so every permission and audit rule
// of the API applies unchanged. Every value is put in the page as text (textContent), never as
// markup, so stored content cannot run as script.

const tokenKey = "dryad.token";
const page = document.getElementById("page");
const status = document.getElementById("status");

/// An element with attributes and children; strings become text nodes.
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null) node.setAttribute(name, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/// An SVG element (plots).
function svg(tag, attributes = {}, ...children) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/// A failed API call: its HTTP status and the problem's detail.
class APIError extends Error {
  constructor(code, detail) {
    super(detail);
    this.code = code;
  }
}

/// GET /api/v1 + path with the token; the parsed JSON, or an APIError.
async function api(path) {
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
async function metrics() {
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
function serverFigures(before, after, seconds) {
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
async function all(path, max = 1000) {
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

/// "N things", or "the first N things" and how to see the rest when the listing was cut.
function counted(listing, noun) {
  return listing.cut ? `the first ${listing.items.length} ${noun} (narrow the filters to see the rest)` : `${listing.items.length} ${noun}`;
}

function table(headers, rows) {
  return el("div", { class: "scroll" },
    el("table", {},
      el("thead", {}, el("tr", {}, headers.map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, rows.map((row) => el("tr", {}, row.map((cell) => el("td", {}, cell)))))));
}

function badge(text, kind) {
  return el("span", { class: "badge " + kind }, text);
}

/// What a page renders: its title and content, shown by `route` if it is still the page asked for.
function view(title, ...content) {
  return { title, content };
}

function show(title, ...content) {
  page.replaceChildren(el("h1", {}, title), ...content.flat(Infinity));
  document.title = title + " · dryad console";
}

function showError(error) {
  const text = error instanceof APIError ? `${error.message} (HTTP ${error.code})` : String(error);
  status.textContent = text;
}

// MARK: - Pages

async function overview() {
  const health = await fetch("/healthz").then((r) => r.ok).catch(() => false);
  const ready = await fetch("/readyz").then((r) => r.ok).catch(() => false);
  const stats = await api("/tools/stats?since=1h");
  const totals = { succeeded: 0, failed: 0, timed_out: 0, cancelled: 0, rejected: 0, denied: 0 };
  for (const row of stats.items) for (const key of Object.keys(totals)) totals[key] += row[key];
  // Server figures are for admins, as /metrics and /status are; a member's page says so.
  let server;
  try {
    const [status, before] = await Promise.all([api("/status"), metrics()]);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const figures = serverFigures(before, await metrics(), 1);
    server = [
      el("h2", {}, "This server"),
      el("ul", { class: "figures", id: "server-figures" },
        el("li", { "data-figure": "version" }, el("strong", {}, status.version), "dryad version"),
        el("li", { "data-figure": "schema" }, el("strong", {}, status.schema_version), "schema version"),
        el("li", { "data-figure": "size" }, el("strong", {}, (status.size_bytes / 1048576).toFixed(1) + " MiB"), "database file"),
        el("li", { "data-figure": "rate" }, el("strong", {}, figures.rate.toFixed(1)), "requests/s (last second)"),
        el("li", { "data-figure": "p99" }, el("strong", {}, figures.p99 === undefined ? "-" : "≤ " + Math.round(figures.p99 * 1000) + " ms"),
          "p99 latency since start"),
        el("li", { "data-figure": "cache" }, el("strong", {}, figures.hitRate === null ? "-" : (100 * figures.hitRate).toFixed(0) + " %"),
          "read-cache hits")),
    ];
  } catch (error) {
    server = [el("p", { id: "server-figures-note" }, "Server figures (version, file, requests, latency) are shown to admins.")];
  }
  return view("Overview",
    el("ul", { class: "figures", "aria-label": "Health" },
      el("li", {}, el("strong", {}, health ? "up" : "down"), badge(health ? "healthy" : "not healthy", health ? "ok" : "bad")),
      el("li", {}, el("strong", {}, ready ? "ready" : "not ready"), badge(ready ? "database answers" : "database unavailable", ready ? "ok" : "bad"))),
    server,
    el("h2", {}, "Runs in the last hour, by status"),
    el("ul", { class: "figures", id: "runs-last-hour" },
      Object.entries(totals).map(([name, count]) => el("li", { "data-status": name }, el("strong", {}, count), name.replace("_", " ")))),
    el("p", {}, `${stats.items.length} tool versions ran in the last hour.`));
}

async function tools(params) {
  const query = new URLSearchParams();
  for (const key of ["q", "tag", "status"]) if (params.get(key)) query.set(key, params.get(key));
  const listing = await all("/tools" + (query.toString() ? "?" + query : ""));
  const items = listing.items;
  const form = el("form", { id: "tool-filters", role: "search" },
    el("label", { for: "q" }, "Search"), el("input", { id: "q", name: "q", value: params.get("q") || "" }),
    el("label", { for: "tag" }, "Tag"), el("input", { id: "tag", name: "tag", value: params.get("tag") || "" }),
    el("label", { for: "tool-status" }, "Status"),
    el("select", { id: "tool-status", name: "status" },
      ["", "active", "deprecated", "disabled"].map((s) => {
        const option = el("option", { value: s }, s || "any");
        if ((params.get("status") || "") === s) option.selected = true;
        return option;
      })),
    el("button", { type: "submit" }, "Filter"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    for (const key of ["q", "tag", "status"]) {
      const value = form.elements[key].value.trim();
      if (value) next.set(key, value);
    }
    location.hash = "#/tools" + (next.toString() ? "?" + next : "");
  });
  return view("Tools", form,
    el("p", { id: "tool-count" }, counted(listing, "tools")),
    table(["Name", "Version", "Status", "Tags", "Description"], items.map((tool) => [
      el("a", { href: "#/tools/" + encodeURIComponent(tool.name) }, tool.name), tool.version,
      badge(tool.status, tool.status === "active" ? "ok" : tool.status === "disabled" ? "bad" : "warn"),
      tool.tags.join(", "), tool.description])));
}

/// Runs per bucket as stacked bars by outcome, with the p50 and p95 durations as lines.
function plot(series) {
  const width = 720, height = 240, left = 44, bottom = 28, top = 12;
  const buckets = series.buckets;
  const count = (b) => b.succeeded + b.failed + b.timed_out + b.cancelled + b.rejected + b.denied;
  const most = Math.max(1, ...buckets.map(count));
  const slowest = Math.max(1, ...buckets.map((b) => b.p95_ms || 0));
  const step = (width - left) / Math.max(1, buckets.length);
  const y = (value, max) => top + (height - top - bottom) * (1 - value / max);
  const parts = [
    svg("title", {}, `Runs of ${series.tool} per ${series.bucket_seconds / 60} minutes`),
    svg("line", { x1: left, y1: height - bottom, x2: width, y2: height - bottom, stroke: "#57606a" }),
    svg("text", { x: 2, y: top + 8 }, String(most)),
    svg("text", { x: 2, y: height - bottom }, "0"),
    svg("text", { x: left, y: height - 8 }, buckets.length ? buckets[0].start.slice(0, 16) : ""),
    svg("text", { x: width - 110, y: height - 8 }, buckets.length ? buckets[buckets.length - 1].start.slice(0, 16) : ""),
  ];
  const colours = { succeeded: "#116329", failed: "#a40e26", timed_out: "#7d4e00", other: "#8c959f" };
  buckets.forEach((b, index) => {
    let base = height - bottom;
    const stack = [["succeeded", b.succeeded], ["failed", b.failed], ["timed_out", b.timed_out], ["other", b.cancelled + b.rejected + b.denied]];
    for (const [name, value] of stack) {
      if (!value) continue;
      const h = (height - top - bottom) * (value / most);
      base -= h;
      parts.push(svg("rect", { x: left + index * step + 1, y: base, width: Math.max(1, step - 2), height: h, fill: colours[name], class: "bar",
        "data-status": name }, svg("title", {}, `${b.start}: ${value} ${name.replace("_", " ")}`)));
    }
  });
  for (const [key, colour] of [["p50_ms", "#0b5cad"], ["p95_ms", "#8250df"]]) {
    const points = buckets.map((b, i) => (b[key] === null ? null : `${left + i * step + step / 2},${y(b[key], slowest)}`)).filter(Boolean);
    if (points.length) parts.push(svg("polyline", { points: points.join(" "), fill: "none", stroke: colour, "stroke-width": 2, class: "line", "data-series": key }));
  }
  return el("figure", {},
    svg("svg", { class: "plot", viewBox: `0 0 ${width} ${height}`, role: "img", "aria-labelledby": "plot-caption", "data-points": buckets.length }, parts),
    el("figcaption", { id: "plot-caption" },
      `Runs per ${series.bucket_seconds / 60} minutes (bars, left scale up to ${most}) and p50/p95 durations (lines, up to ${slowest} ms), since ${series.since}.`),
    el("ul", { class: "legend" },
      Object.entries({ succeeded: "succeeded", failed: "failed", timed_out: "timed out", other: "cancelled, rejected or denied" }).map(([key, label]) =>
        el("li", {}, el("span", { class: "swatch", style: null, "data-colour": key }), label)),
      el("li", {}, "blue line: p50"), el("li", {}, "purple line: p95")));
}

async function tool(name) {
  // By id: a tool may be named like a fixed route (`tools/stats`), which a name would reach instead.
  const versions = (await all("/tools?all_versions=true&q=" + encodeURIComponent(name), 10000)).items.filter((t) => t.name === name);
  if (!versions.length) throw new APIError(404, `tool ${name} not found`);
  const ref = encodeURIComponent(versions[0].id);
  const [current, stats, series, history] = await Promise.all([api("/tools/" + ref), api("/tools/" + ref + "/stats"),
    api("/tools/" + ref + "/stats/series?bucket=1h&since=24h"), api("/tools/" + ref + "/history?limit=20")]);
  // Who may use the tool: the grants list is for admins.
  let grants;
  try {
    const listed = await all("/permissions?tool=" + encodeURIComponent(name));
    grants = listed.items.length
      ? table(["Who", "Level"], listed.items.map((g) => [g.principal || "every " + g.principal_type, g.level]))
      : el("p", {}, "No grants: only admins may use it.");
  } catch (error) {
    grants = el("p", {}, "The grants on a tool are shown to admins.");
  }
  return view(name,
    el("p", {}, current.description),
    el("p", {}, "Latest version ", el("strong", {}, current.version), " ", badge(current.status, current.status === "active" ? "ok" : "warn")),
    el("h2", {}, "Runs over the last 24 hours"), plot(series),
    el("h2", {}, "Figures per version"),
    table(["Version", "Succeeded", "Failed", "Timed out", "Success rate", "p50", "p95", "Max"], stats.items.map((s) => [
      s.version, s.succeeded, s.failed, s.timed_out, s.success_rate === null ? "-" : (100 * s.success_rate).toFixed(1) + " %",
      s.p50_ms === null ? "-" : s.p50_ms + " ms", s.p95_ms === null ? "-" : s.p95_ms + " ms", s.max_ms === null ? "-" : s.max_ms + " ms"])),
    el("h2", {}, "Who may use it"), el("div", { id: "tool-grants" }, grants),
    el("h2", {}, "Recent runs"),
    el("div", { id: "recent-runs" }, table(["Started", "Status", "Principal", "Duration", "Via", "Session", "Context", "Run"], history.items.map((r) => [
      r.started_at, badge(r.status, r.status === "succeeded" ? "ok" : r.status === "failed" || r.status === "timed_out" ? "bad" : "warn"),
      r.principal, r.duration_ms + " ms", r.via || "-", r.session_id || "-",
      r.context_id ? el("a", { href: "#/memory/" + encodeURIComponent(r.context_id) }, r.context_id) : "-", r.id]))),
    el("h2", {}, "Versions"),
    table(["Version", "Status", "Updated"], versions.map((v) => [v.version, v.status, v.updated_at])),
    el("h2", {}, "Input schema"), el("pre", {}, JSON.stringify(current.input_schema, null, 2)),
    el("h2", {}, "Output schema"), el("pre", {}, current.output_schema ? JSON.stringify(current.output_schema, null, 2) : "none"),
    el("h2", {}, "Executor"), el("pre", {}, current.executor ? JSON.stringify(current.executor, null, 2) : "none"));
}

async function audit(params) {
  const query = new URLSearchParams();
  for (const key of ["principal", "action", "decision", "since"]) if (params.get(key)) query.set(key, params.get(key));
  const listing = await all("/audit" + (query.toString() ? "?" + query : ""), 5000);
  const entries = listing.items;
  let verified;
  try {
    const check = await api("/audit/verify");
    verified = check.ok ? badge(`chain verified (${check.entries} entries)`, "ok") : badge("chain broken at " + check.first_bad_seq, "bad");
  } catch (error) {
    verified = badge("chain not checked: " + error.message, "warn");
  }
  const form = el("form", { id: "audit-filters", role: "search" },
    ["principal", "action", "since"].map((key) => [el("label", { for: "audit-" + key }, key), el("input", { id: "audit-" + key, name: key, value: params.get(key) || "" })]),
    el("label", { for: "audit-decision" }, "decision"),
    el("select", { id: "audit-decision", name: "decision" }, ["", "allow", "deny"].map((d) => {
      const option = el("option", { value: d }, d || "any");
      if ((params.get("decision") || "") === d) option.selected = true;
      return option;
    })),
    el("button", { type: "submit" }, "Filter"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    for (const key of ["principal", "action", "decision", "since"]) {
      const value = form.elements[key].value.trim();
      if (value) next.set(key, value);
    }
    location.hash = "#/audit" + (next.toString() ? "?" + next : "");
  });
  const download = el("button", { type: "button", id: "audit-export" }, `Export these ${entries.length} entries (JSON)`);
  download.addEventListener("click", () => {
    const blob = new Blob([JSON.stringify(entries, null, 2)], { type: "application/json" });
    const link = el("a", { href: URL.createObjectURL(blob), download: "dryad-audit.json", hidden: "" });
    document.body.append(link);
    link.click();
    setTimeout(() => {
      URL.revokeObjectURL(link.href);
      link.remove();
    }, 1000);
  });
  return view("Audit", el("p", { id: "audit-verified" }, verified), el("p", { id: "audit-count" }, counted(listing, "entries, oldest first")), form, download,
    table(["Seq", "At", "Principal", "Action", "Resource", "Decision", "Reason"], entries.map((e) => [
      e.seq, e.at, e.principal, e.action, e.resource, badge(e.decision, e.decision === "allow" ? "ok" : "bad"), e.reason || ""])));
}

/// A context's data as leaves: JSON pointer → value (scalars, arrays and empty objects), as
/// `--explain` counts them.
function leaves(value, pointer = "", out = new Map()) {
  if (value !== null && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length) {
    for (const [key, child] of Object.entries(value)) leaves(child, pointer + "/" + key.replaceAll("~", "~0").replaceAll("/", "~1"), out);
  } else {
    out.set(pointer, JSON.stringify(value));
  }
  return out;
}

function contextLink(context) {
  return el("a", { href: "#/memory/" + encodeURIComponent(context.id) }, context.key || context.id);
}

/// A tree node: the context, with its children loaded when it is first opened.
function treeNode(context) {
  const summary = el("summary", {}, contextLink(context), ` ${context.context_type} · v${context.version}`);
  const node = el("details", { class: "tree", "data-id": context.id }, summary);
  let loaded = false;
  node.addEventListener("toggle", async () => {
    if (!node.open || loaded) return;
    loaded = true;
    try {
      const children = (await all("/memory/context/" + encodeURIComponent(context.id) + "/children")).items;
      node.append(children.length ? el("ul", {}, children.map((c) => el("li", {}, treeNode(c)))) : el("p", { class: "leaf" }, "no children"));
    } catch (error) {
      node.append(el("p", {}, "children not readable: " + error.message));
    }
  });
  return node;
}

async function memory(params) {
  const agent = params.get("agent") || "";
  const q = params.get("q") || "";
  const form = el("form", { id: "memory-filters", role: "search" },
    el("label", { for: "memory-agent" }, "Agent"), el("input", { id: "memory-agent", name: "agent", value: agent }),
    el("label", { for: "memory-q" }, "Search"), el("input", { id: "memory-q", name: "q", value: q }),
    el("button", { type: "submit" }, "Show"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    for (const key of ["agent", "q"]) {
      const value = form.elements[key].value.trim();
      if (value) next.set(key, value);
    }
    location.hash = "#/memory" + (next.toString() ? "?" + next : "");
  });
  if (q) {
    const found = await all("/memory/search?q=" + encodeURIComponent(q) + (agent ? "&agent=" + encodeURIComponent(agent) : ""), 200);
    return view("Memory", form, el("p", { id: "memory-count" }, counted(found, "matches")),
      table(["Context", "Agent", "Type", "Snippet"], found.items.map((c) => [contextLink(c), c.agent_id, c.context_type, c.snippet || ""])));
  }
  const listing = await all("/memory/context" + (agent ? "?agent=" + encodeURIComponent(agent) : ""), 5000);
  const ids = new Set(listing.items.map((c) => c.id));
  // Roots of what the caller can read: contexts whose parent is none or not listed.
  const roots = listing.items.filter((c) => !c.parent_id || !ids.has(c.parent_id));
  return view("Memory", form, el("p", { id: "memory-count" }, counted({ items: roots, cut: listing.cut }, "trees")),
    el("ul", { id: "memory-tree" }, roots.map((c) => el("li", {}, treeNode(c)))));
}

/// What changed between two versions' data, leaf by leaf.
function diff(before, after) {
  const a = leaves(before), b = leaves(after);
  const rows = [];
  for (const [pointer, value] of b) if (!a.has(pointer)) rows.push(["added", pointer, "", value]);
  for (const [pointer, value] of b) if (a.has(pointer) && a.get(pointer) !== value) rows.push(["changed", pointer, a.get(pointer), value]);
  for (const [pointer, value] of a) if (!b.has(pointer)) rows.push(["removed", pointer, value, ""]);
  return rows;
}

async function context(id) {
  const ref = "/memory/context/" + encodeURIComponent(id);
  const [stored, resolved, parents, history] = await Promise.all([
    api(ref + "?with_runs=true"), api(ref + "?resolved=true&explain=true"), all(ref + "/parents"), all(ref + "/history", 200)]);
  // Each ancestor gets a number and a colour; the number is the label, the colour only helps.
  const line = [stored, ...parents.items];
  const origin = new Map(line.map((c, index) => [c.id, index]));
  const from = new Map((resolved.provenance || []).map((p) => [p.pointer, p.context_id]));
  const values = [...leaves(resolved.data).entries()].map(([pointer, value]) => {
    const source = from.get(pointer);
    const index = origin.has(source) ? origin.get(source) : -1;
    const label = index === 0 ? "this context" : index > 0 ? `ancestor ${index} (${line[index].key || line[index].id})` : "unknown";
    return [pointer, value, el("span", { class: "origin", "data-origin": String(Math.min(index, 5)) }, label)];
  });
  const versions = history.items;
  const changes = versions.slice(1).map((version, index) => [
    el("h3", {}, `v${versions[index].version} → v${version.version} (${version.updated_at}${version.principal ? ", " + version.principal : ""})`),
    table(["Change", "Pointer", "Before", "After"], diff(versions[index].data, version.data))]);
  return view(stored.key || stored.id,
    table(["Field", "Value"], [
      ["id", stored.id], ["agent", stored.agent_id], ["type", stored.context_type], ["version", stored.version],
      ["tags", stored.tags.join(", ") || "-"], ["expires", stored.expires_at || "never"],
      ["parent", stored.parent_id ? el("a", { href: "#/memory/" + encodeURIComponent(stored.parent_id) }, stored.parent_id) : "none (a root)"],
      ["shared with", (stored.shared_with || []).map((s) => `${s.agent_id} (${s.access})`).join(", ") || "nobody"],
      ["open errors", String(stored.unresolved_errors ?? 0)]]),
    el("h2", {}, "Resolved data, and where each value comes from"),
    el("div", { id: "resolved" }, table(["Pointer", "Value", "From"], values)),
    el("h2", {}, "Ancestors"),
    parents.items.length ? el("ol", { id: "ancestors" }, parents.items.map((p) => el("li", {}, contextLink(p)))) : el("p", {}, "none"),
    el("h2", {}, "Versions"),
    el("div", { id: "versions" }, changes.length ? changes : el("p", {}, "one version")),
    el("h2", {}, "Open errors"),
    (stored.open_errors || []).length
      ? table(["Logged", "Type", "Message"], stored.open_errors.map((e) => [e.created_at, e.error_type, e.error_message]))
      : el("p", {}, "none"),
    el("h2", {}, "Runs in this context"),
    (stored.runs || []).length
      ? table(["Started", "Tool", "Status", "Principal"], stored.runs.map((r) => [r.started_at, r.tool_name, r.status, r.principal]))
      : el("p", {}, "none"));
}

function connect() {
  const origin = location.origin;
  const json = { mcpServers: { dryad: { url: origin + "/mcp", headers: { Authorization: "Bearer ${env:DRYAD_TOKEN}" } } } };
  return view("Connect an agent",
    el("p", {}, "Agents reach the tools they may execute and their memory over MCP, with the same permissions and audit as this console."),
    el("h2", {}, "Claude Code"),
    el("pre", {}, `claude mcp add --transport http dryad ${origin}/mcp --header "Authorization: Bearer $DRYAD_TOKEN"`),
    el("h2", {}, "Cursor, VS Code and other hosts"),
    el("pre", {}, JSON.stringify(json, null, 2)),
    el("h2", {}, "A host on this machine (stdio)"),
    el("pre", {}, "dryad mcp --as AGENT_NAME"));
}

// MARK: - Routing

const routes = [
  [/^#\/overview$/, () => overview()],
  [/^#\/tools\/([^?]+)$/, (m) => tool(decodeURIComponent(m[1]))],
  [/^#\/tools(\?.*)?$/, (m) => tools(new URLSearchParams((m[1] || "").slice(1)))],
  [/^#\/audit(\?.*)?$/, (m) => audit(new URLSearchParams((m[1] || "").slice(1)))],
  [/^#\/memory\/([^?]+)$/, (m) => context(decodeURIComponent(m[1]))],
  [/^#\/memory(\?.*)?$/, (m) => memory(new URLSearchParams((m[1] || "").slice(1)))],
  [/^#\/connect$/, () => connect()],
];

/// The page asked for last: a slower render of an earlier page must not replace it.
let generation = 0;

async function route() {
  const hash = location.hash || "#/overview";
  const mine = ++generation;
  status.textContent = "";
  const match = routes.map(([pattern, render]) => [hash.match(pattern), render]).find(([m]) => m);
  page.setAttribute("aria-busy", "true");
  try {
    const result = match ? await match[1](match[0]) : view("Not found", el("p", {}, "No such page."));
    if (mine !== generation) return;
    show(result.title, ...result.content);
  } catch (error) {
    if (mine !== generation) return;
    page.replaceChildren();
    showError(error);
  } finally {
    if (mine === generation) {
      page.removeAttribute("aria-busy");
      document.body.dataset.rendered = hash;
    }
  }
}

document.getElementById("token-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = document.getElementById("token");
  const token = input.value.trim();
  if (token) sessionStorage.setItem(tokenKey, token);
  input.value = "";
  route();
});
document.getElementById("forget").addEventListener("click", () => {
  // A render still under way must not show what the forgotten token could read.
  generation++;
  sessionStorage.removeItem(tokenKey);
  page.replaceChildren();
  status.textContent = "token forgotten";
});
window.addEventListener("hashchange", route);
route();
