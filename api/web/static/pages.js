// slot-planner's page script: fills the server-rendered frames from the JSON API (/api/v1).
// Every number and slot shown comes from the API; this script only draws it. Times are shown as the API
// sends them (ISO 8601 in the service's zone), never converted to the browser's zone.
"use strict";

const PAGE = JSON.parse(document.getElementById("page-data").textContent);

// --- the one way to reach the API: the session cookie signs every call in, changes carry the CSRF token --

class ApiProblem extends Error {
  constructor(status, body) {
    super((body && (body.detail || body.title)) || `HTTP ${status}`);
    this.status = status;
    this.body = body || {};
  }
}

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

async function api(method, path, body) {
  const headers = { Accept: "application/json" };
  const init = { method, headers, credentials: "same-origin" };
  if (!SAFE.has(method) && PAGE.csrf) headers[PAGE.csrf_header] = PAGE.csrf;
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let resp;
  try {
    resp = await fetch(PAGE.api + path, init);
  } catch (err) {
    throw new ApiProblem(0, { detail: "The service cannot be reached; check the connection and try again." });
  }
  const data = resp.status === 204 ? null : await resp.json().catch(() => null);
  if (!resp.ok) throw new ApiProblem(resp.status, data);
  return data;
}

const qs = (params) => new URLSearchParams(params).toString();

// --- small helpers --------------------------------------------------------------------------------------

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "style") {
      for (const [prop, value] of Object.entries(v)) {
        if (value !== null && value !== undefined) node.style.setProperty(prop.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`), value);
      }
    }
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c !== null && c !== undefined && c !== false) node.append(c);
  }
  return node;
}

// "2026-11-23T10:00:00+03:00" -> "10:00": the API already speaks the service's zone.
const hhmm = (iso) => iso.slice(11, 16);
const isoDate = (iso) => iso.slice(0, 10);
const ms = (iso) => Date.parse(iso);
const span = (item) => `${hhmm(item.start)}–${hhmm(item.end)}`;
const skillText = (skill) => skill || "any skill";
// "2026-11-23" -> "Monday 23 Nov" (a calendar date, so formatted in UTC to stay the same date).
const dayName = (isoDay, weekday = "long") => new Intl.DateTimeFormat("en-GB", { weekday, day: "numeric",
  month: "short", timeZone: "UTC" }).format(new Date(`${isoDay}T12:00:00Z`));

function setStatus(text, kind = "info") {
  const node = document.getElementById("status");
  node.textContent = text;
  node.dataset.kind = kind;
}

// Seats of a task as the API gives them: `crew` [{skill, count}] and its holders `worker_ids` (a v1 task
// without them: one seat of `skill`, held by `worker_id`).
const crewOf = (t) => (t.crew && t.crew.length ? t.crew : [{ skill: t.skill, count: 1 }]);
const seatsOf = (t) => crewOf(t).reduce((n, c) => n + c.count, 0);
const holdersOf = (t) => (t.worker_ids ? t.worker_ids : t.worker_id ? [t.worker_id] : []);
const isCrew = (t) => seatsOf(t) > 1 || crewOf(t).length > 1;
const crewText = (crew) => crew.map((c) => `${skillText(c.skill)}${c.count > 1 ? ` ×${c.count}` : ""}`).join(", ");
const needText = (t) => (isCrew(t) ? `crew ${crewText(crewOf(t))}` : skillText(crewOf(t)[0].skill));
const NAMES = new Map();  // worker id -> name, from the API's worker list when the page has it
const nameOf = (id) => NAMES.get(id) || id;

function describeTask(t) {
  const holders = holdersOf(t);
  const seats = seatsOf(t);
  let who;
  if (!holders.length) who = seats > 1 ? `${seats} seats open` : "untaken";
  else if (seats === 1) who = `taken by ${t.worker_name || nameOf(holders[0])}`;
  else who = `${holders.length} of ${seats} seats held by ${holders.map(nameOf).join(", ")}`;
  return `${t.id} ${span(t)} (${needText(t)}, ${who})`;
}

// The crew field's text ("install:2, electric:1"; a bare skill is one seat, "*" any skill) as the API's
// crew list. Only split up here: the API checks it and names what is wrong (422).
function parseCrew(text) {
  return text.split(",").map((p) => p.trim()).filter(Boolean).map((part) => {
    const [skill, count] = part.split(":").map((x) => x.trim());
    const n = count === undefined ? 1 : /^\d+$/.test(count) ? Number(count) : count;
    return { skill: skill === "*" ? null : skill, count: n };
  });
}
const crewQuery = (text) => text.replace(/\s+/g, "");

function signInLink() {
  return el("a", { href: `${PAGE.sign_in}?${qs({ next: location.pathname + location.search })}` }, "Sign in");
}

// A refusal in words: the problem's detail, then each task it names, described from what we know of it
// (an id we do not know is the task being booked: the service names it by the id it would have had).
function explainProblem(problem, knownTasks, unknownLabel, skip = null) {
  const body = problem.body || {};
  const lines = [];
  const named = (body.uncovered && body.uncovered.length ? body.uncovered : body.tasks || []).filter((id) => id !== skip);
  // A booking refused because nobody could take the new task itself: the service names it by the id it
  // would have had, which means nothing to the reader.
  const onlyTheNewOne = Boolean(unknownLabel) && named.length > 0 && named.every((id) => !knownTasks.has(id));
  if (problem.status === 401) {
    lines.push("You are not signed in, or your session has ended: sign in again to go on.");
  } else if (problem.status === 403) {
    const me = PAGE.me;
    lines.push(`Not allowed${me ? ` for you (signed in as ${me.role}${me.worker_id ? ` ${me.worker_id}` : ""})` : ""}.`);
  } else if (problem.status === 409 && onlyTheNewOne) {
    lines.push("Refused: nobody could take this task at that time.");
  } else if (problem.status === 409 && body.uncovered && body.uncovered.length) {
    lines.push(`Refused: this would leave ${body.uncovered.length === 1 ? "a task" : "tasks"} that nobody could take.`);
  } else if (problem.status === 409) {
    lines.push("Refused.");
  } else if (problem.status === 503) {
    lines.push("Not done: the service could not confirm it in time. Nothing was changed; try again.");
  } else {
    lines.push(`Not done (${problem.status || "no answer"}).`);
  }
  if (body.detail && !onlyTheNewOne) lines.push(body.detail.charAt(0).toUpperCase() + body.detail.slice(1) + ".");
  for (const e of body.errors || []) lines.push(`${e.field}: ${e.message}`);
  const items = onlyTheNewOne ? [] : named.map((id) => {
    const t = knownTasks.get(id);
    return t ? describeTask(t) : `${id}${unknownLabel ? ` — ${unknownLabel}` : ""}`;
  });
  return { lines, items };
}

// The `explain` certificate a refused booking carries: the tasks that hold the people at that time.
function explainCertificate(explain, knownTasks) {
  if (!explain || explain.slot) return [];
  if (explain.reason === "no_fit") {
    return [el("p", { class: "why" }, "Why: nobody on shift then has the skills its seats need, whatever else is booked.")];
  }
  const tasks = explain.tasks.map((id) => (knownTasks.get(id) ? describeTask(knownTasks.get(id)) : id));
  const people = explain.workers.map(nameOf).join(", ");
  if (explain.reason === "infeasible_base") {
    return [el("p", { class: "why" }, "Why: the day already has tasks that cannot all be covered:"),
      el("ul", { class: "why-tasks" }, tasks.map((i) => el("li", {}, i)))];
  }
  return [el("p", { class: "why" }, `Why: at ${hhmm(explain.start)}–${hhmm(explain.end)} these tasks hold the people ` +
    `who could do it${people ? ` (${people})` : ""}:`), el("ul", { class: "why-tasks" }, tasks.map((i) => el("li", {}, i)))];
}

function renderProblem(node, problem, knownTasks, unknownLabel, skip = null) {
  const { lines, items } = explainProblem(problem, knownTasks, unknownLabel, skip);
  node.replaceChildren(...lines.map((l) => el("p", {}, l)));
  if (items.length) {
    node.append(el("p", {}, problem.body && problem.body.uncovered && problem.body.uncovered.length
      ? "Tasks it would strand:" : "Tasks involved:"));
    node.append(el("ul", { class: "named-tasks" }, items.map((i) => el("li", {}, i))));
  }
  node.append(...explainCertificate(problem.body && problem.body.explain, knownTasks));
  if (problem.status === 401 || problem.status === 403) node.append(el("p", {}, signInLink()));
  node.hidden = false;
}

// Untaken tasks can overlap each other: give each a sub-lane so none hides another.
function packLanes(items) {
  const lanes = [];
  for (const item of [...items].sort((a, b) => ms(a.start) - ms(b.start))) {
    let lane = lanes.findIndex((end) => end <= ms(item.start));
    if (lane === -1) { lane = lanes.length; lanes.push(0); }
    lanes[lane] = ms(item.end);
    item.lane = lane;
  }
  return Math.max(lanes.length, 1);
}

// --- the day board ----------------------------------------------------------------------------------------

const NEXT_LIMIT = 12;  // how many next slots a range search lists

const Board = {
  start: 0, end: 0, tasks: new Map(), workers: [], query: null, newTask: null,

  init() {
    this.start = ms(PAGE.start);
    this.end = ms(PAGE.end);
    document.getElementById("find-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      this.find(new FormData(ev.target));
    });
    document.getElementById("book-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      const form = new FormData(ev.target);
      const duration = Number(form.get("duration_minutes"));
      const start = form.get("start");
      const end = new Date(ms(start) + duration * 60000);
      const crew = (form.get("crew") || "").trim();
      this.confirm({ start, duration, skill: crew ? null : form.get("skill") || null, crew: crew ? parseCrew(crew) : null,
        day: PAGE.date, endLabel: this.clock(end) });
    });
    document.getElementById("confirm-yes").addEventListener("click", () => this.book());
    this.tickNow();
    setInterval(() => this.tickNow(), 30000);
    this.load();
  },

  // Wall-clock time of an instant in the service's zone (for the "now" marker and computed ends).
  clock(date) {
    return new Intl.DateTimeFormat("en-GB", { timeZone: PAGE.timezone, hour: "2-digit", minute: "2-digit",
      hourCycle: "h23" }).format(date);
  },

  pos(iso) {
    const t = Math.min(Math.max(ms(iso), this.start), this.end);
    return ((t - this.start) / (this.end - this.start)) * 100;
  },

  place(item) {
    const left = this.pos(item.start);
    return { left: `${left}%`, width: `${Math.max(this.pos(item.end) - left, 0.25)}%` };
  },

  overlapsDay(item) { return ms(item.start) < this.end && ms(item.end) > this.start; },

  async load() {
    const board = document.getElementById("board");
    board.setAttribute("aria-busy", "true");
    try {
      const days = [PAGE.previous, PAGE.date];
      const [workers, ...taskLists] = await Promise.all([
        api("GET", "/workers"), ...days.map((d) => api("GET", `/tasks?${qs({ date: d })}`)),
      ]);
      const shiftLists = await Promise.all(workers.map((w) => Promise.all(
        days.map((d) => api("GET", `/workers/${encodeURIComponent(w.id)}/shifts?${qs({ date: d })}`))),
      ));
      this.workers = workers;
      for (const w of workers) NAMES.set(w.id, w.name || w.id);
      this.tasks = new Map(taskLists.flat().filter((t) => this.overlapsDay(t)).map((t) => [t.id, t]));
      this.fillSkills(workers);
      this.render(workers, shiftLists.map((l) => l.flat().filter((s) => this.overlapsDay(s))));
    } catch (err) {
      if (!(err instanceof ApiProblem)) throw err;
      const node = el("div", { class: "problem", role: "alert" });
      renderProblem(node, err, this.tasks);
      node.prepend(el("p", {}, "The day could not be loaded."));
      document.getElementById("rows").replaceChildren(node);
    } finally {
      board.setAttribute("aria-busy", "false");
    }
  },

  fillSkills(workers) {
    const skills = [...new Set(workers.flatMap((w) => w.skills))].sort();
    for (const select of document.querySelectorAll(".skill-select")) {
      const keep = select.value;
      select.replaceChildren(el("option", { value: "" }, "any"), ...skills.map((s) => el("option", { value: s }, s)));
      select.value = skills.includes(keep) ? keep : "";
    }
  },

  // A task as a block: in a holder's row (taken), or in the untaken lane with its open seats. A crew
  // task shows its seats (held / of all) in both places.
  taskBlock(t, lane) {
    const held = holdersOf(t).length;
    const seats = seatsOf(t);
    const taken = !lane;
    // Seats first: a short block still shows them.
    const seatText = isCrew(t) ? (taken ? `${held}/${seats} held · ` : `${seats - held} of ${seats} open · `) : "";
    const title = describeTask(t);
    return el("div", {
      class: `block task ${taken ? "taken" : "untaken"}${t.id === this.newTask ? " new" : ""}`,
      style: { ...this.place(t), top: lane ? `calc(.3rem + ${t.lane} * var(--lane))` : null },
      title, "data-task": t.id, "data-seats": isCrew(t) ? `${held}/${seats}` : null, role: "img", "aria-label": title,
    }, el("span", {}, `${t.id} · ${isCrew(t) ? crewText(crewOf(t)) : needText(t)}`), el("small", {}, `${seatText}${span(t)}`));
  },

  render(workers, shiftsByWorker) {
    const rows = [];
    const tasks = [...this.tasks.values()];
    workers.forEach((w, i) => {
      const shifts = shiftsByWorker[i];
      const held = tasks.filter((t) => holdersOf(t).includes(w.id));
      const offDay = shifts.length === 0;
      const track = el("div", { class: "track" },
        shifts.map((s) => el("div", {
          class: `block shift${s.counted ? "" : " uncounted"}`, style: this.place(s),
          title: `shift ${span(s)}${s.counted ? "" : " (outside employment, not counted)"}`,
        }, el("small", {}, span(s)))),
        held.map((t) => this.taskBlock(t)),
        offDay ? el("span", { class: "off" }, "no shift") : null);
      rows.push(el("div", { class: "row", "data-worker": w.id },
        el("div", { class: "who" },
          el("a", { href: `/workers/${encodeURIComponent(w.id)}`, title: `${w.name || w.id}: week view` }, w.name || w.id),
          el("small", { title: w.skills.join(", ") }, w.skills.join(", ") || "no skills")),
        track));
    });
    const untaken = tasks.filter((t) => holdersOf(t).length < seatsOf(t));  // with a seat still open
    const lanes = packLanes(untaken);
    rows.push(el("div", { class: "row untaken-row", style: { "--lanes": lanes }, "data-worker": "" },
      el("div", { class: "who" }, el("strong", {}, "Untaken"), el("small", {}, `${untaken.length} task(s)`)),
      el("div", { class: "track" }, untaken.map((t) => this.taskBlock(t, true)),
        untaken.length ? null : el("span", { class: "off" }, "none"))));
    if (!workers.length) rows.unshift(el("p", { class: "muted" }, "No workers yet."));
    document.getElementById("rows").replaceChildren(...rows);
    this.scrollToWork(shiftsByWorker.flat());
  },

  // On a narrow screen the board scrolls sideways: start where the first shift begins, not at 03:00.
  scrollToWork(shifts) {
    const scroller = document.querySelector(".scroller");
    if (this.scrolled || scroller.scrollWidth <= scroller.clientWidth || !shifts.length) return;
    this.scrolled = true;
    const first = Math.min(...shifts.map((s) => ms(s.start)));
    const track = document.querySelector(".axis .track");
    const at = ((Math.max(first - 3600000, this.start) - this.start) / (this.end - this.start)) * track.clientWidth;
    scroller.scrollLeft = at;
  },

  tickNow() {
    const line = document.getElementById("now-line");
    const now = Date.now();
    if (now < this.start || now >= this.end) { line.hidden = true; return; }
    line.hidden = false;
    line.style.left = `${((now - this.start) / (this.end - this.start)) * 100}%`;
    line.querySelector("b").textContent = `now ${this.clock(new Date(now))}`;
  },

  // One day: GET /slots. A range of days: GET /slots/next from this day (its first NEXT_LIMIT slots).
  slotsPath(query) {
    return query.days ? `/slots/next?${qs(query)}` : `/slots?${qs(query)}`;
  },

  async find(form) {
    const days = Number(form.get("days") || 1);
    const query = days > 1 ? { from: PAGE.date, days, limit: NEXT_LIMIT } : { date: PAGE.date };
    query.duration_minutes = form.get("duration_minutes");
    query.step_minutes = form.get("step_minutes");
    const crew = crewQuery(form.get("crew") || "");
    if (crew) query.crew = crew;
    else if (form.get("skill")) query.skill = form.get("skill");
    this.query = query;
    setStatus("Searching…");
    const button = document.querySelector("#find-form button[type=submit]");
    button.disabled = true;
    try {
      this.drawSlots(await api("GET", this.slotsPath(query)));
      setStatus("");
    } catch (err) {
      if (!(err instanceof ApiProblem)) throw err;
      setStatus(`The slot search failed: ${explainProblem(err, this.tasks).lines.join(" ")}`, "error");
      if (err.status === 401) document.getElementById("status").append(" ", signInLink());
    } finally {
      button.disabled = false;
    }
  },

  drawSlots(answer) {
    const need = answer.crew && answer.crew.length ? `crew ${crewText(answer.crew)}` : skillText(answer.skill);
    const what = `${answer.duration_minutes}-minute task (${need})`;
    const list = document.getElementById("slot-list");
    const track = document.getElementById("free-track");
    const caption = document.getElementById("slots-caption");
    const range = answer.days !== undefined;  // a `next` answer: slots of several days, each with its date
    const dayOf = (s) => s.date || PAGE.date;
    const open = (s) => this.confirm({ start: s.start, duration: answer.duration_minutes, skill: answer.skill,
      crew: answer.crew && answer.crew.length ? answer.crew : null, day: dayOf(s), endLabel: hhmm(s.end) });
    const today = answer.slots.filter((s) => dayOf(s) === PAGE.date);
    const label = (s) => (range ? `${dayName(dayOf(s), "short")} ${span(s)}` : span(s));
    track.replaceChildren(...today.map((s) => el("button", {
      // Mouse shortcuts on the board; keyboard and screen-reader users get the same starts as the list below.
      type: "button", class: "free", style: { left: `${this.pos(s.start)}%` }, tabindex: "-1",
      title: `Book a ${what} at ${span(s)}`, "aria-label": `Book at ${hhmm(s.start)}`, onclick: () => open(s),
    }, "▼")));
    list.replaceChildren(...answer.slots.map((s) => el("li", {}, el("button", {
      type: "button", class: "chip", onclick: () => open(s), "aria-label": `Book ${label(s)}`, "data-day": dayOf(s),
    }, label(s)))));
    const where = range ? `in the ${answer.days} days from ${dayName(answer.from)}` : "on this day";
    let text;
    if (!answer.feasible_base && answer.uncovered.length) {
      text = `No slot: the day already has tasks nobody can take (${answer.uncovered.join(", ")}).`;
    } else if (!answer.slots.length) {
      text = `No start ${where} fits one more ${what}.`;
    } else if (range) {
      text = `The first ${answer.slots.length} start(s) ${where} for one more ${what}, every ${answer.step_minutes} ` +
        `min (${today.length} on this day, drawn on the board). Pick one to book it.`;
    } else {
      text = `${answer.slots.length} start(s) for one more ${what}, every ${answer.step_minutes} min. ` +
        "Pick one to book it.";
    }
    if (answer.undecided.length) {
      text += ` ${answer.undecided.length} start(s) could not be decided in time and are not offered.`;
    }
    caption.textContent = text;
    document.getElementById("free-summary").textContent = `${today.length} for ${answer.duration_minutes} min`;
    document.getElementById("free-row").hidden = false;
    document.getElementById("slots-section").hidden = false;
  },

  confirm(request) {
    this.pending = request;
    const dialog = document.getElementById("confirm");
    document.getElementById("confirm-title").textContent = "Book this task?";
    const need = request.crew ? `crew ${crewText(request.crew)}` : skillText(request.skill);
    request.what = `a ${request.duration}-minute task (${need}) on ${dayName(request.day)}, ` +
      `${hhmm(request.start)}–${request.endLabel}`;
    document.getElementById("confirm-text").textContent =
      `Book ${request.what}? It stays untaken until an installer takes it.`;
    document.getElementById("confirm-problem").hidden = true;
    const yes = document.getElementById("confirm-yes");
    yes.hidden = false;
    yes.disabled = false;
    document.getElementById("confirm-no").textContent = "Cancel";
    dialog.showModal();
    yes.focus();
  },

  async book() {
    const request = this.pending;
    const yes = document.getElementById("confirm-yes");
    yes.disabled = true;
    try {
      const body = { start: request.start, duration_minutes: request.duration };
      if (request.crew) body.crew = request.crew;
      else body.skill = request.skill;
      const task = await api("POST", "/tasks", body);
      document.getElementById("confirm").close();
      this.newTask = task.id;
      const other = task.day !== PAGE.date ? ` on ${dayName(task.day)}` : "";
      setStatus(`Booked ${task.id}${other}: ${span(task)}, ${needText(task)} (untaken until someone takes it).`, "ok");
      if (other) document.getElementById("status").append(" ", el("a", { href: `/days/${task.day}` }, "See that day"));
      document.getElementById("status").focus();  // the button that opened the dialog is redrawn
      await this.load();
      if (this.query) this.drawSlots(await api("GET", this.slotsPath(this.query)));
    } catch (err) {
      if (!(err instanceof ApiProblem)) throw err;
      document.getElementById("confirm-title").textContent = "Not booked";
      document.getElementById("confirm-text").textContent = `You asked for ${request.what}.`;
      renderProblem(document.getElementById("confirm-problem"), err, this.tasks,
        "the task you are booking: nobody free could take it then");
      yes.hidden = true;
      const no = document.getElementById("confirm-no");
      no.textContent = "Close";
      no.focus();
    }
  },
};

// --- the installer's week ---------------------------------------------------------------------------------

const Installer = {
  worker: null, tasks: new Map(),

  // Who may press what (the service decides anyway): the installer themself (or an admin) takes; they,
  // a manager or an admin release.
  get canTake() {
    const me = PAGE.me;
    return Boolean(me && (me.role === "admin" || (me.role === "installer" && me.worker_id === PAGE.worker)));
  },
  get canRelease() { return this.canTake || Boolean(PAGE.me && PAGE.me.role === "manager"); },

  async init() {
    const phone = document.getElementById("phone-link");
    if (phone) phone.addEventListener("click", () => this.phoneLink());
    await this.load();
  },

  // A read-only calendar token in a URL: calendar apps subscribe by address and send no header or cookie.
  async phoneLink() {
    try {
      const link = await api("POST", `/workers/${encodeURIComponent(PAGE.worker)}/calendar-token`);
      const input = document.getElementById("phone-url-value");
      input.value = link.url;
      document.getElementById("phone-url").hidden = false;
      input.focus();
      input.select();
    } catch (err) {
      if (!(err instanceof ApiProblem)) throw err;
      setStatus(`No phone link: ${explainProblem(err, this.tasks).lines.join(" ")}`, "error");
    }
  },

  async load() {
    const id = PAGE.worker;
    const path = `/workers/${encodeURIComponent(id)}`;
    try {
      const [worker, shifts, ...lists] = await Promise.all([
        api("GET", path), api("GET", `${path}/shifts`),
        ...PAGE.days.map((d) => api("GET", `/tasks?${qs({ date: d.date })}`)),
        ...PAGE.days.map((d) => api("GET", `${path}/takeable?${qs({ date: d.date })}`)),
      ]);
      const taskLists = lists.slice(0, PAGE.days.length);
      const takeable = lists.slice(PAGE.days.length);
      this.worker = worker;
      NAMES.set(worker.id, worker.name || worker.id);
      this.tasks = new Map(taskLists.flat().map((t) => [t.id, t]));
      document.getElementById("worker-name").textContent = worker.name || worker.id;
      document.getElementById("worker-skills").textContent =
        worker.skills.length ? `skills: ${worker.skills.join(", ")}` : "no skills";
      this.render(shifts.filter((s) => PAGE.days.some((d) => d.date === s.day)), taskLists.flat(), takeable);
    } catch (err) {
      if (!(err instanceof ApiProblem)) throw err;
      for (const id2 of ["my-week", "open-tasks"]) {
        const node = el("div", { class: "problem", role: "alert" });
        if (err.status === 404) node.append(el("p", {}, `There is no worker “${id}”.`));
        else renderProblem(node, err, this.tasks);
        document.getElementById(id2).replaceChildren(node);
      }
    } finally {
      for (const id2 of ["my-week", "open-tasks"]) document.getElementById(id2).setAttribute("aria-busy", "false");
    }
  },

  render(shifts, tasks, takeable) {
    const me = this.worker;
    const mine = tasks.filter((t) => holdersOf(t).includes(me.id));
    const week = PAGE.days.map((d) => {
      const dayShifts = shifts.filter((s) => s.day === d.date);
      const dayTasks = mine.filter((t) => t.day === d.date);
      const heading = dayName(d.date);
      const isToday = d.date === PAGE.today;
      return el("section", { class: `weekday${isToday ? " today" : ""}`, "data-day": d.date },
        el("h3", {}, PAGE.me && PAGE.me.role === "installer" ? heading : el("a", { href: `/days/${d.date}` }, heading),
          isToday ? " · today" : null),
        dayShifts.length || dayTasks.length ? null : el("p", { class: "muted" }, "Off"),
        dayShifts.length ? el("p", { class: "shiftline" }, "Shift ",
          dayShifts.map((s) => span(s)).join(", "),
          dayShifts.some((s) => !s.counted) ? " (some outside employment, not counted)" : "") : null,
        el("ul", { class: "tasklist" }, dayTasks.map((t) => this.item(t, "release"))));
    });
    document.getElementById("my-week").replaceChildren(...week);

    // The service's takeable answer per day, in its order; the page adds nothing to it.
    const offers = takeable.flatMap((a) => a.takeable).map((id) => this.tasks.get(id)).filter(Boolean);
    const undecided = takeable.reduce((n, a) => n + a.undecided.length, 0);
    const blocked = takeable.filter((a) => a.feasible_base === false).map((a) => dayName(a.date, "short"));
    const notes = [];
    if (undecided) notes.push(el("p", { class: "muted" }, `${undecided} task(s) could not be decided in time and are not offered.`));
    if (blocked.length) notes.push(el("p", { class: "muted" }, `Nothing is offered on ${blocked.join(", ")}: the day already has tasks nobody can take.`));
    document.getElementById("open-tasks").replaceChildren(offers.length
      ? el("ul", { class: "tasklist" }, offers.map((t) => this.item(t, "take")))
      : el("p", { class: "muted" }, "None this week."), ...notes);
  },

  // One Take button per crew entry the worker has the skill for (a seat of that skill); a one-entry task
  // has one button, and the service picks the seat.
  buttons(t, action, problem) {
    if (action === "release") {
      if (!this.canRelease) return [];
      const button = el("button", { type: "button", "aria-label": `Release ${t.id}`,
        onclick: () => this.act(t, "release", {}, button, problem) }, "Release");
      return [button];
    }
    if (!this.canTake) return [];
    const crew = crewOf(t);
    const fits = crew.filter((c) => c.skill === null || this.worker.skills.includes(c.skill));
    return (crew.length > 1 ? fits : [crew[0]]).map((c) => {
      const seat = crew.length > 1 ? { skill: c.skill } : {};
      const button = el("button", {
        type: "button", class: "primary", "aria-label": crew.length > 1 ? `Take ${t.id}, ${skillText(c.skill)} seat` : `Take ${t.id}`,
        onclick: () => this.act(t, "take", seat, button, problem),
      }, crew.length > 1 ? `Take ${skillText(c.skill)} seat` : "Take");
      return button;
    });
  },

  item(t, action) {
    const problem = el("div", { class: "problem", role: "alert", hidden: true });
    const seats = isCrew(t) ? ` · ${holdersOf(t).length}/${seatsOf(t)} seats held` : "";
    return el("li", { class: `taskitem ${action === "release" ? "taken" : "untaken"}`, "data-task": t.id },
      el("div", {},
        el("strong", {}, `${t.id}`), " ",
        el("span", {}, `${action === "take" ? dayName(t.day, "short") + ", " : ""}${span(t)}`), " ",
        el("span", { class: "tag" }, needText(t)), seats),
      el("div", { class: "actions" }, this.buttons(t, action, problem)), problem);
  },

  async act(t, action, seat, button, problem) {
    button.disabled = true;
    problem.hidden = true;
    try {
      const path = `/tasks/${encodeURIComponent(t.id)}/${action}`;
      const done = await api("POST", path, { worker_id: this.worker.id, ...seat });
      setStatus(action === "take" ? `You took ${done.id} (${span(done)}).` : `You released ${done.id}; its seat is open again.`,
        "ok");
      await this.load();
    } catch (err) {
      if (!(err instanceof ApiProblem)) throw err;
      const reasons = { skill: "you do not have the skill it needs.", shift: "it is not inside one of your shifts.",
        overlap: "it clashes with a task you already hold.", limit: "it would take you over your daily limit.",
        full: "every seat of it is already taken." };
      renderProblem(problem, err, this.tasks, null, t.id);
      if (reasons[err.body.reason]) problem.firstChild.replaceChildren(el("strong", {}, `Refused: ${reasons[err.body.reason]}`));
      button.disabled = false;
      button.focus();
    }
  },
};

// --- signing in and out -----------------------------------------------------------------------------------

function initSignIn() {
  const form = document.getElementById("sign-in-form");
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const problem = document.getElementById("sign-in-problem");
    problem.hidden = true;
    try {
      const me = await api("POST", "/session", { token: new FormData(form).get("token").trim() });
      const home = me.role === "installer" ? `/workers/${encodeURIComponent(me.worker_id)}` : "/";
      location.assign(PAGE.next || home);
    } catch (err) {
      if (!(err instanceof ApiProblem)) throw err;
      problem.replaceChildren(el("p", {}, err.status === 401 || err.status === 422
        ? "That token is unknown or revoked: check it, or ask a manager for a new one." : explainProblem(err, new Map()).lines.join(" ")));
      problem.hidden = false;
    }
  });
}

const signOut = document.getElementById("sign-out");
if (signOut) {
  signOut.addEventListener("click", async () => {
    await api("DELETE", "/session").catch(() => null);
    location.assign(PAGE.sign_in);
  });
}

if (PAGE.page === "board") Board.init();
if (PAGE.page === "installer") Installer.init();
if (PAGE.page === "sign-in") initSignIn();
