// dryad console: the memory pages: context trees, a context's resolved data with where each
// value came from, its versions as diffs, search.

import { all, api } from "./api.js";
import { counted, el, table, view } from "./dom.js";

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

export async function memory(params) {
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

export async function context(id) {
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
