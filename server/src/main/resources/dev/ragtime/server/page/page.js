// The search page: plain DOM code, no libraries, loaded from the service itself.
//
// Everything that comes from the index (texts, ids, metadata) reaches the page only through
// textContent and text nodes, never as HTML; highlights are <mark> elements built around text
// nodes. The service's Content-Security-Policy forbids inline script, so all behaviour is here.
"use strict";

(function () {
  const POLL_ACTIVE_MS = 1500; // while a job is queued or running
  const POLL_IDLE_MS = 10000;
  const MAX_JOBS_SHOWN = 5;
  const K = 10;

  // Lucene's English stop words: the BM25 analyzer drops them, so they are never highlighted.
  const STOP_WORDS = new Set(
    ("a an and are as at be but by for if in into is it no not of on or such that the their " +
      "then there these they this to was will with").split(" "));

  const $ = (id) => document.getElementById(id);
  const form = $("search");
  const collection = $("collection");
  const query = $("query");
  const status = $("status");
  const results = $("results");
  const jobsList = $("jobs");
  const jobsSummary = $("jobs-summary");
  const keyBox = $("key-box");
  const keyInput = $("api-key");

  let apiKey = sessionStorage.getItem("ragtime.key") || "";
  let searchSeq = 0;
  let pollTimer = 0;
  let polling = false;
  let finishedJobs = null;

  /** A refusal from the service, carrying its problem detail. */
  class ApiError extends Error {
    constructor(status, detail) {
      super(detail);
      this.status = status;
    }
  }

  async function api(path, body) {
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (apiKey) headers.Authorization = "Bearer " + apiKey;
    const response = await fetch(path, {
      method: body === undefined ? "GET" : "POST",
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let json = null;
    try {
      json = await response.json();
    } catch (e) {
      json = null;
    }
    if (!response.ok) {
      const detail = json && typeof json.detail === "string" ? json.detail : response.statusText;
      if (response.status === 401 || response.status === 403) {
        keyBox.open = true;
      }
      throw new ApiError(response.status, detail || "HTTP " + response.status);
    }
    return json;
  }

  function say(text, isError) {
    status.textContent = text;
    status.classList.toggle("error", Boolean(isError));
  }

  function selectedMode() {
    const checked = form.querySelector("input[name=mode]:checked");
    return checked ? checked.value : "hybrid";
  }

  async function loadCollections() {
    const wanted = collection.value || new URLSearchParams(location.search).get("collection");
    const data = await api("/v1/collections");
    const names = data.collections.map((c) => c.name);
    collection.replaceChildren(
      ...data.collections.map((c) => {
        const option = document.createElement("option");
        option.value = c.name;
        option.textContent = c.name + " (" + c.documents + " documents)";
        return option;
      }));
    if (wanted && names.includes(wanted)) {
      collection.value = wanted;
    }
    if (names.length > 0 && status.classList.contains("empty")) {
      say("");
    }
    status.classList.toggle("empty", names.length === 0);
    if (names.length === 0) {
      say("There are no collections yet: ingest documents (ragtime serve --ingest PATH, or POST " +
        "/v1/collections/{name}/documents) and they appear here.");
    }
    return names.length;
  }

  // ---- highlighting (pure) ----

  /** A crude English stem, enough to light up "paced" for the query "pacing". */
  function stem(word) {
    let w = word.toLowerCase();
    for (const suffix of ["ing", "ed", "es", "ly", "s"]) {
      if (w.length > suffix.length + 2 && w.endsWith(suffix)) {
        w = w.slice(0, -suffix.length);
        break;
      }
    }
    return w.endsWith("e") && w.length > 3 ? w.slice(0, -1) : w;
  }

  const WORD = /[\p{L}\p{N}]+/gu;

  function queryStems(q) {
    const stems = new Set();
    for (const m of q.matchAll(WORD)) {
      const lower = m[0].toLowerCase();
      if (!STOP_WORDS.has(lower)) stems.add(stem(lower));
    }
    return stems;
  }

  /** The text as text nodes, with each word that matches a query word wrapped in a mark. */
  function highlighted(text, stems) {
    const out = document.createDocumentFragment();
    let at = 0;
    for (const m of text.matchAll(WORD)) {
      if (!stems.has(stem(m[0]))) continue;
      if (m.index > at) out.append(document.createTextNode(text.slice(at, m.index)));
      const mark = document.createElement("mark");
      mark.textContent = m[0];
      out.append(mark);
      at = m.index + m[0].length;
    }
    if (at < text.length) out.append(document.createTextNode(text.slice(at)));
    return out;
  }

  // ---- results ----

  function documentHref(name, docId) {
    return "/v1/collections/" + encodeURIComponent(name) + "/documents/" +
      docId.split("/").map(encodeURIComponent).join("/");
  }

  function renderHit(name, hit, stems) {
    const meta = hit.metadata || {};
    const item = document.createElement("li");
    const article = document.createElement("article");
    const heading = document.createElement("h3");
    const link = document.createElement("a");
    link.href = documentHref(name, hit.docId);
    link.textContent = meta.heading || meta.title || hit.docId;
    heading.append(link);

    const facts = document.createElement("p");
    facts.className = "facts";
    const source = document.createElement("span");
    source.className = "source";
    source.textContent = meta.source || hit.docId;
    const score = document.createElement("span");
    score.className = "score";
    score.textContent = "score " + Number(hit.score).toFixed(4);
    facts.append(source, score);

    const text = document.createElement("p");
    text.className = "text";
    text.append(highlighted(hit.text || "", stems));

    article.append(heading, facts, text);
    item.append(article);
    return item;
  }

  async function search() {
    const q = query.value.trim();
    const name = collection.value;
    if (!name) {
      say("Choose a collection first.", true);
      collection.focus();
      return;
    }
    if (!q) {
      say("Type a query first.", true);
      query.focus();
      return;
    }
    const mode = selectedMode();
    const seq = ++searchSeq;
    say("Searching…");
    results.setAttribute("aria-busy", "true");
    const params = new URLSearchParams({ collection: name, q, mode });
    history.replaceState(null, "", "?" + params.toString());
    try {
      const data = await api("/v1/collections/" + encodeURIComponent(name) + "/search",
        { query: q, k: K, mode });
      if (seq !== searchSeq) return; // a newer search has started
      const stems = queryStems(q);
      results.replaceChildren(...data.hits.map((hit) => renderHit(name, hit, stems)));
      const n = data.hits.length;
      say(n === 0
        ? "No results for “" + q + "” in " + name + "."
        : n + (n === 1 ? " result" : " results") + " (" + data.mode + ", " +
          Number(data.tookMs).toFixed(1) + " ms).");
    } catch (e) {
      if (seq !== searchSeq) return;
      results.replaceChildren();
      say("The search failed: " + e.message, true);
    } finally {
      if (seq === searchSeq) results.removeAttribute("aria-busy");
    }
  }

  // ---- ingestion status ----

  function describeJob(job) {
    let text = job.collection + " ← " + job.source + ": " + job.state;
    if (job.state === "queued") return text;
    text += ", " + job.done + "/" + job.total + " documents, " + job.chunks + " chunks";
    if (job.failed > 0) text += ", " + job.failed + " failed";
    if (job.error) text += " (" + job.error + ")";
    return text;
  }

  async function pollJobs() {
    if (polling) return; // the poll in flight schedules the next one
    polling = true;
    clearTimeout(pollTimer);
    let delay = POLL_IDLE_MS;
    try {
      const data = await api("/v1/jobs");
      const jobs = data.jobs;
      const active = jobs.filter((j) => j.state === "queued" || j.state === "running");
      jobsSummary.textContent = active.length > 0
        ? active.length + (active.length === 1 ? " job" : " jobs") + " in progress."
        : jobs.length > 0 ? "No ingestion in progress." : "No ingestion jobs yet.";
      jobsList.replaceChildren(
        ...jobs.slice(0, MAX_JOBS_SHOWN).map((job) => {
          const item = document.createElement("li");
          item.className = "job " + job.state;
          item.dataset.job = job.id;
          item.textContent = describeJob(job);
          return item;
        }));
      if (active.length > 0) delay = POLL_ACTIVE_MS;
      const finished = jobs.filter((j) => !active.includes(j)).map((j) => j.id).join(" ");
      if (finished !== finishedJobs) {
        // A job ended since the last look (or this is the first): the counts may have changed.
        finishedJobs = finished;
        await loadCollections();
      }
    } catch (e) {
      jobsSummary.textContent = "Ingestion status unavailable: " + e.message;
    } finally {
      polling = false;
    }
    schedulePoll(delay);
  }

  function schedulePoll(delay) {
    clearTimeout(pollTimer);
    if (!document.hidden) pollTimer = setTimeout(pollJobs, delay);
  }

  // ---- wiring ----

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    search();
  });
  collection.addEventListener("change", () => {
    if (query.value.trim()) search();
  });
  for (const radio of form.querySelectorAll("input[name=mode]")) {
    radio.addEventListener("change", () => {
      if (query.value.trim()) search();
    });
  }
  $("key-save").addEventListener("click", async () => {
    apiKey = keyInput.value.trim();
    if (apiKey) sessionStorage.setItem("ragtime.key", apiKey);
    else sessionStorage.removeItem("ragtime.key");
    keyInput.value = "";
    await start();
  });
  keyInput.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      $("key-save").click();
    }
  });
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) pollJobs();
  });

  async function start() {
    const params = new URLSearchParams(location.search);
    const mode = params.get("mode");
    const radio = mode && form.querySelector("input[name=mode][value=" + CSS.escape(mode) + "]");
    if (radio) radio.checked = true;
    if (params.get("q") && !query.value) query.value = params.get("q");
    try {
      const count = await loadCollections();
      if (count > 0) say("");
      if (count > 0 && query.value.trim()) await search();
    } catch (e) {
      say("Could not list the collections: " + e.message, true);
    }
    pollJobs();
  }

  query.focus();
  start();
})();
