// translate-kit's page: translate an article block by block, or align an article with its translation.
// Plain DOM, no libraries; every text from the server is set with textContent.
"use strict";

const $ = (id) => document.getElementById(id);
const EXTENSIONS = { text: "txt", markdown: "md", html: "html", jsonl: "jsonl", tsv: "tsv", csv: "csv" };
const LANG = { hin_Deva: "hi", eng_Latn: "en" };
const state = { filename: null, output: null, outName: null, alignBody: null, files: { hi: null, en: null } };

// ------------------------------------------------------------------ requests

function headers() {
  const h = { "Content-Type": "application/json" };
  const key = $("api-key").value.trim();
  if (key) h.Authorization = "Bearer " + key;
  return h;
}

async function post(path, body) {
  const response = await fetch(path, { method: "POST", headers: headers(), body: JSON.stringify(body) });
  if (response.status === 401) $("api-key").parentElement.hidden = false;
  if (!response.ok) {
    let message = response.statusText;
    try { message = (await response.json()).error || message; } catch (_) { /* not JSON */ }
    const retry = response.headers.get("Retry-After");
    throw new Error(message + (retry ? ` (retry in ${retry} s)` : ""));
  }
  return response;
}

async function* ndjson(response) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let newline;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, newline).trim();
      buffer = buffer.slice(newline + 1);
      if (line) yield JSON.parse(line);
    }
  }
  if (buffer.trim()) yield JSON.parse(buffer);
}

function download(text, name, type) {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([text], { type: type + ";charset=utf-8" }));
  link.download = name;
  document.body.appendChild(link);
  link.click();
  setTimeout(() => { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
}

function readFile(input) {
  return new Promise((resolve, reject) => {
    const file = input.files[0];
    if (!file) return resolve(null);
    const reader = new FileReader();
    reader.onload = () => resolve({ name: file.name, text: reader.result });
    reader.onerror = () => reject(reader.error);
    reader.readAsText(file, "utf-8");
  });
}

function status(id, text, isError) {
  $(id).textContent = text;
  $(id).classList.toggle("error", Boolean(isError));
}

// ------------------------------------------------------------------ rendering

function span(text, key, lang) {
  const s = document.createElement("span");
  s.className = "s";
  s.dataset.k = key;
  if (lang) s.lang = lang;
  s.textContent = text;
  return s;
}

function side(lang) {
  const div = document.createElement("div");
  div.lang = lang;
  return div;
}

function appendJoined(parent, spans) {
  spans.forEach((s, i) => { if (i) parent.append(" "); parent.append(s); });
}

function renderTranslation(view) {
  const container = $("result");
  container.replaceChildren();
  const src = LANG[view.source], tgt = LANG[view.target];
  for (const block of view.blocks) {
    const row = document.createElement("div");
    row.className = "row";
    row.dataset.block = block.id;
    if (block.kind === "heading" || block.kind === "title") row.classList.add("heading");
    if (!block.translated) row.classList.add("kept");
    const left = side(src), right = side(tgt);
    if (block.sentences.length) {
      appendJoined(left, block.sentences.map((s, i) => span(s.source, `${block.id}:${i}`)));
      appendJoined(right, block.sentences.map((s, i) => {
        const t = span(s.translation, `${block.id}:${i}`);
        t.title = `score ${s.score.toFixed(2)}` + (s.dropped.length ? ` · dropped ${s.dropped.join(", ")}` : "")
          + (s.flags.length ? ` · check: ${s.flags.join(", ")}` : "");
        if (s.flags.length) {
          t.classList.add("flagged");
          t.dataset.flags = s.flags.join(" ");
        }
        return t;
      }));
    } else {
      left.append(span(block.source, block.id));
      right.append(span(block.translation, block.id));
    }
    row.append(left, right);
    container.append(row);
  }
}

function renderAlignment(result) {
  const container = $("alignment");
  container.replaceChildren();
  for (const block of result.blocks) {
    const row = document.createElement("div");
    row.className = "row";
    if (block.heading) row.classList.add("heading");
    const left = side("hi"), right = side("en");
    const beads = block.beads.map((i) => [i, result.beads[i]]);
    if (!beads.length) beads.push([`b${block.block}`, block]);
    for (const [index, bead] of beads) {
      const key = `a:${index}`;
      const l = span(bead.hi_text || "—", key), r = span(bead.en_text || "—", key);
      for (const s of [l, r]) { s.classList.add("bead"); s.title = `${bead.type} · score ${bead.score.toFixed(2)}`; }
      const score = document.createElement("span");
      score.className = "score";
      score.textContent = bead.score.toFixed(2);
      r.append(score);
      left.append(l);
      right.append(r);
    }
    const meta = document.createElement("div");
    meta.className = "meta";
    meta.textContent = `block pair ${block.type} · score ${block.score.toFixed(2)}`;
    row.append(left, right, meta);
    container.append(row);
  }
}

function linkCounterparts(container) {
  const same = (target) => container.querySelectorAll(`.s[data-k="${CSS.escape(target.dataset.k)}"]`);
  container.addEventListener("mouseover", (e) => {
    if (e.target.classList.contains("s")) same(e.target).forEach((s) => s.classList.add("hl"));
  });
  container.addEventListener("mouseout", (e) => {
    if (e.target.classList.contains("s")) same(e.target).forEach((s) => s.classList.remove("hl"));
  });
  container.addEventListener("click", (e) => {
    const target = e.target.closest(".s");
    if (!target) return;
    const on = !target.classList.contains("pinned");
    container.querySelectorAll(".s.pinned").forEach((s) => s.classList.remove("pinned"));
    if (on) same(target).forEach((s) => s.classList.add("pinned"));
  });
}

// ------------------------------------------------------------------ translate view

function formatFor(name) {
  const chosen = $("format").value;
  if (chosen) return chosen;
  const ext = (name || "").split(".").pop().toLowerCase();
  return { md: "markdown", markdown: "markdown", html: "html", htm: "html", jsonl: "jsonl", tsv: "tsv", csv: "csv" }[ext]
    || "text";
}

async function translate(event) {
  event.preventDefault();
  const text = $("text").value;
  if (!text.trim()) return status("status", "Paste or upload an article first.", true);
  const format = formatFor(state.filename);
  const filename = state.filename || `pasted.${EXTENSIONS[format]}`;
  const body = { text, filename, format, source: $("source").value, target: $("target").value || null };
  $("translate").disabled = $("download").disabled = true;
  const bar = $("progress");
  bar.hidden = false; bar.removeAttribute("value");
  status("status", "Translating…");
  try {
    const response = await post("/translate/document?stream=true", body);
    for await (const message of ndjson(response)) {
      if (message.progress) {
        const { done, total } = message.progress;
        bar.max = Math.max(total, 1); bar.value = done;
        status("status", `${done} / ${total} sentences`);
      } else if (message.error) {
        throw new Error(message.error);
      } else if (message.result) {
        const view = message.result;
        renderTranslation(view);
        state.output = view.output;
        const stem = filename.replace(/\.[^.]+$/, "");
        state.outName = `${stem}.${LANG[view.target]}.${EXTENSIONS[view.format]}`;
        $("download").disabled = false;
        const dropped = view.dropped_placeholders.length;
        status("status", `${view.blocks.length} blocks, ${view.stats.sentences || 0} sentences` +
          (view.model ? ` · ${view.model}` : " · nothing to translate") +
          (dropped ? ` · ${dropped} dropped placeholder(s)` : ""));
      }
    }
  } catch (error) {
    status("status", error.message, true);
  } finally {
    $("translate").disabled = false;
    bar.hidden = true;
  }
}

// ------------------------------------------------------------------ align view

function alignFormat(name) {
  const ext = (name || "").split(".").pop().toLowerCase();
  return { md: "markdown", markdown: "markdown", html: "html", htm: "html" }[ext] || "text";
}

async function align(event) {
  event.preventDefault();
  const hi = $("hi-text").value, en = $("en-text").value;
  if (!hi.trim() || !en.trim()) return status("align-status", "Give both sides.", true);
  state.alignBody = { hi, en, hi_format: alignFormat(state.files.hi), en_format: alignFormat(state.files.en) };
  $("align").disabled = true;
  status("align-status", "Aligning…");
  try {
    const result = await (await post("/align", { ...state.alignBody, output: "json" })).json();
    renderAlignment(result);
    $("download-jsonl").disabled = $("download-tsv").disabled = false;
    status("align-status", `${result.blocks.length} block pairs, ${result.beads.length} sentence beads ` +
      `(${result.hi_sentences} Hindi / ${result.en_sentences} English sentences)`);
  } catch (error) {
    status("align-status", error.message, true);
  } finally {
    $("align").disabled = false;
  }
}

async function downloadAlignment(fmt) {
  try {
    const response = await post("/align", { ...state.alignBody, output: fmt, level: "both" });
    download(await response.text(), `alignment.${fmt}`, fmt === "tsv" ? "text/tab-separated-values" : "application/jsonl");
  } catch (error) {
    status("align-status", error.message, true);
  }
}

// ------------------------------------------------------------------ wiring

function show(view) {
  for (const tab of document.querySelectorAll("nav button")) {
    tab.setAttribute("aria-selected", String(tab.dataset.view === view));
  }
  $("view-translate").hidden = view !== "translate";
  $("view-align").hidden = view !== "align";
}

document.querySelectorAll("nav button").forEach((tab) => tab.addEventListener("click", () => show(tab.dataset.view)));
$("translate-form").addEventListener("submit", translate);
$("align-form").addEventListener("submit", align);
$("download").addEventListener("click", () => download(state.output, state.outName, "text/plain"));
$("download-jsonl").addEventListener("click", () => downloadAlignment("jsonl"));
$("download-tsv").addEventListener("click", () => downloadAlignment("tsv"));
$("text").addEventListener("input", () => { if (!$("file").files.length) state.filename = null; });
$("file").addEventListener("change", async () => {
  const file = await readFile($("file"));
  if (file) { state.filename = file.name; $("text").value = file.text; }
});
for (const lang of ["hi", "en"]) {
  $(`${lang}-file`).addEventListener("change", async () => {
    const file = await readFile($(`${lang}-file`));
    if (file) { state.files[lang] = file.name; $(`${lang}-text`).value = file.text; }
  });
}
linkCounterparts($("result"));
linkCounterparts($("alignment"));
