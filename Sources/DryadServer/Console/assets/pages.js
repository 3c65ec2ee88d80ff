// dryad console: the overview, tools, audit and connect pages. Each returns a view (a title
// and content) for the router to show if it is still the page asked for.

import { APIError, all, api, metrics, serverFigures } from "./api.js";
import { badge, counted, el, svg, table, view } from "./dom.js";


export async function overview() {
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

export async function tools(params) {
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

export async function tool(name) {
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

export async function audit(params) {
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

export function connect() {
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
