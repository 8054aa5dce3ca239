// slot-planner's page script: fills the server-rendered frames from the JSON API (/api/v1).
// Every number and slot shown comes from the API; this script only draws it. Times are shown as the API
// sends them (ISO 8601 in the service's zone), never converted to the browser's zone.
"use strict";

const PAGE = JSON.parse(document.getElementById("page-data").textContent);

// --- the one way to reach the API (authentication / CSRF headers go here when they exist) -------------

class ApiProblem extends Error {
  constructor(status, body) {
    super((body && (body.detail || body.title)) || `HTTP ${status}`);
    this.status = status;
    this.body = body || {};
  }
}

async function api(method, path, body) {
  const headers = { Accept: "application/json" };
  const init = { method, headers, credentials: "same-origin" };
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

function describeTask(t) {
  const who = t.worker_id ? `taken by ${t.worker_name || t.worker_id}` : "untaken";
  return `${t.id} ${span(t)} (${skillText(t.skill)}, ${who})`;
}

// A refusal in words: the problem's detail, then each task it names, described from what we know of it
// (an id we do not know is the task being booked: the service names it by the id it would have had).
function explainProblem(problem, knownTasks, unknownLabel) {
  const body = problem.body || {};
  const lines = [];
  if (problem.status === 409 && body.uncovered && body.uncovered.length) {
    lines.push(`Refused: this would leave ${body.uncovered.length === 1 ? "a task" : "tasks"} that nobody could take.`);
  } else if (problem.status === 409) {
    lines.push("Refused.");
  } else if (problem.status === 503) {
    lines.push("Not done: the service could not confirm it in time. Nothing was changed; try again.");
  } else {
    lines.push(`Not done (${problem.status || "no answer"}).`);
  }
  if (body.detail) lines.push(body.detail.charAt(0).toUpperCase() + body.detail.slice(1) + ".");
  for (const e of body.errors || []) lines.push(`${e.field}: ${e.message}`);
  const named = body.uncovered && body.uncovered.length ? body.uncovered : body.tasks || [];
  const items = named.map((id) => {
    const t = knownTasks.get(id);
    return t ? describeTask(t) : `${id}${unknownLabel ? ` — ${unknownLabel}` : ""}`;
  });
  return { lines, items };
}

function renderProblem(node, problem, knownTasks, unknownLabel) {
  const { lines, items } = explainProblem(problem, knownTasks, unknownLabel);
  node.replaceChildren(...lines.map((l) => el("p", {}, l)));
  if (items.length) {
    node.append(el("p", {}, problem.body && problem.body.uncovered && problem.body.uncovered.length
      ? "Tasks it would strand:" : "Tasks involved:"));
    node.append(el("ul", {}, items.map((i) => el("li", {}, i))));
  }
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
      this.confirm({ start, duration, skill: form.get("skill") || null, endLabel: this.clock(end) });
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
      this.tasks = new Map(taskLists.flat().filter((t) => this.overlapsDay(t)).map((t) => [t.id, t]));
      this.fillSkills(workers);
      this.render(workers, shiftLists.map((l) => l.flat().filter((s) => this.overlapsDay(s))));
    } catch (err) {
      document.getElementById("rows").replaceChildren(el("p", { class: "problem", role: "alert" },
        `The day could not be loaded: ${err.message}`));
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

  taskBlock(t) {
    const taken = Boolean(t.worker_id);
    const label = `${t.id} · ${skillText(t.skill)}`;
    const title = `${describeTask(t)}`;
    return el("div", {
      class: `block task ${taken ? "taken" : "untaken"}${t.id === this.newTask ? " new" : ""}`,
      style: { ...this.place(t), top: t.lane !== undefined ? `calc(.3rem + ${t.lane} * var(--lane))` : null },
      title, "data-task": t.id, role: "img", "aria-label": title,
    }, el("span", {}, label), el("small", {}, span(t)));
  },

  render(workers, shiftsByWorker) {
    const rows = [];
    const tasks = [...this.tasks.values()];
    workers.forEach((w, i) => {
      const shifts = shiftsByWorker[i];
      const held = tasks.filter((t) => t.worker_id === w.id);
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
    const untaken = tasks.filter((t) => !t.worker_id);
    const lanes = packLanes(untaken);
    rows.push(el("div", { class: "row untaken-row", style: { "--lanes": lanes }, "data-worker": "" },
      el("div", { class: "who" }, el("strong", {}, "Untaken"), el("small", {}, `${untaken.length} task(s)`)),
      el("div", { class: "track" }, untaken.map((t) => this.taskBlock(t)),
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

  async find(form) {
    const query = {
      date: PAGE.date,
      duration_minutes: form.get("duration_minutes"),
      step_minutes: form.get("step_minutes"),
    };
    if (form.get("skill")) query.skill = form.get("skill");
    this.query = query;
    setStatus("Searching…");
    const button = document.querySelector("#find-form button[type=submit]");
    button.disabled = true;
    try {
      this.drawSlots(await api("GET", `/slots?${qs(query)}`));
      setStatus("");
    } catch (err) {
      setStatus(`The slot search failed: ${err.message}`, "error");
    } finally {
      button.disabled = false;
    }
  },

  drawSlots(answer) {
    const skill = answer.skill ? `${answer.skill}` : "any skill";
    const what = `${answer.duration_minutes}-minute task (${skill})`;
    const list = document.getElementById("slot-list");
    const track = document.getElementById("free-track");
    const caption = document.getElementById("slots-caption");
    const open = (s) => this.confirm({ start: s.start, duration: answer.duration_minutes, skill: answer.skill,
      endLabel: hhmm(s.end) });
    track.replaceChildren(...answer.slots.map((s) => el("button", {
      // Mouse shortcuts on the board; keyboard and screen-reader users get the same starts as the list below.
      type: "button", class: "free", style: { left: `${this.pos(s.start)}%` }, tabindex: "-1",
      title: `Book a ${what} at ${span(s)}`, "aria-label": `Book at ${hhmm(s.start)}`, onclick: () => open(s),
    }, "▼")));
    list.replaceChildren(...answer.slots.map((s) => el("li", {}, el("button", {
      type: "button", class: "chip", onclick: () => open(s), "aria-label": `Book ${span(s)}`,
    }, span(s)))));
    let text;
    if (!answer.feasible_base && answer.uncovered.length) {
      text = `No slot: the day already has tasks nobody can take (${answer.uncovered.join(", ")}).`;
    } else if (!answer.slots.length) {
      text = `No start on this day fits one more ${what}.`;
    } else {
      text = `${answer.slots.length} start(s) for one more ${what}, every ${answer.step_minutes} min. ` +
        "Pick one to book it.";
    }
    if (answer.undecided.length) {
      text += ` ${answer.undecided.length} start(s) could not be decided in time and are not offered.`;
    }
    caption.textContent = text;
    document.getElementById("free-summary").textContent = `${answer.slots.length} for ${answer.duration_minutes} min`;
    document.getElementById("free-row").hidden = false;
    document.getElementById("slots-section").hidden = false;
  },

  confirm(request) {
    this.pending = request;
    const dialog = document.getElementById("confirm");
    document.getElementById("confirm-title").textContent = "Book this task?";
    request.what = `a ${request.duration}-minute task (${skillText(request.skill)}) on ${dayName(PAGE.date)}, ` +
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
      const task = await api("POST", "/tasks", { start: request.start, duration_minutes: request.duration,
        skill: request.skill });
      document.getElementById("confirm").close();
      this.newTask = task.id;
      setStatus(`Booked ${task.id}: ${span(task)}, ${skillText(task.skill)} (untaken until someone takes it).`,
        "ok");
      document.getElementById("status").focus();  // the button that opened the dialog is redrawn
      await this.load();
      if (this.query) this.drawSlots(await api("GET", `/slots?${qs(this.query)}`));
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

  async init() {
    await this.load();
  },

  async load() {
    const id = PAGE.worker;
    const path = `/workers/${encodeURIComponent(id)}`;
    try {
      const [worker, shifts, ...taskLists] = await Promise.all([
        api("GET", path), api("GET", `${path}/shifts`),
        ...PAGE.days.map((d) => api("GET", `/tasks?${qs({ date: d.date })}`)),
      ]);
      this.worker = worker;
      this.tasks = new Map(taskLists.flat().map((t) => [t.id, t]));
      document.getElementById("worker-name").textContent = worker.name || worker.id;
      document.getElementById("worker-skills").textContent =
        worker.skills.length ? `skills: ${worker.skills.join(", ")}` : "no skills";
      this.render(shifts.filter((s) => PAGE.days.some((d) => d.date === s.day)), taskLists.flat());
    } catch (err) {
      const text = err.status === 404 ? `There is no worker “${id}”.` : `This page could not be loaded: ${err.message}`;
      for (const id2 of ["my-week", "open-tasks"]) {
        document.getElementById(id2).replaceChildren(el("p", { class: "problem", role: "alert" }, text));
      }
    } finally {
      for (const id2 of ["my-week", "open-tasks"]) document.getElementById(id2).setAttribute("aria-busy", "false");
    }
  },

  render(shifts, tasks) {
    const me = this.worker;
    const mine = tasks.filter((t) => t.worker_id === me.id);
    const week = PAGE.days.map((d) => {
      const dayShifts = shifts.filter((s) => s.day === d.date);
      const dayTasks = mine.filter((t) => t.day === d.date);
      const heading = dayName(d.date);
      const isToday = d.date === PAGE.today;
      return el("section", { class: `weekday${isToday ? " today" : ""}`, "data-day": d.date },
        el("h3", {}, el("a", { href: `/days/${d.date}` }, heading), isToday ? " · today" : null),
        dayShifts.length || dayTasks.length ? null : el("p", { class: "muted" }, "Off"),
        dayShifts.length ? el("p", { class: "shiftline" }, "Shift ",
          dayShifts.map((s) => span(s)).join(", "),
          dayShifts.some((s) => !s.counted) ? " (some outside employment, not counted)" : "") : null,
        el("ul", { class: "tasklist" }, dayTasks.map((t) => this.item(t, "release"))));
    });
    document.getElementById("my-week").replaceChildren(...week);

    // A display filter only: skill and shift. The service decides on Take (overlap, stranding, ...).
    const inShift = (t) => shifts.some((s) => s.counted && ms(s.start) <= ms(t.start) && ms(t.end) <= ms(s.end));
    const open = tasks.filter((t) => !t.worker_id && (!t.skill || me.skills.includes(t.skill)) && inShift(t));
    document.getElementById("open-tasks").replaceChildren(open.length
      ? el("ul", { class: "tasklist" }, open.map((t) => this.item(t, "take")))
      : el("p", { class: "muted" }, "None this week."));
  },

  item(t, action) {
    const problem = el("div", { class: "problem", role: "alert", hidden: true });
    const label = action === "take" ? "Take" : "Release";
    const button = el("button", {
      type: "button", class: action === "take" ? "primary" : "", "aria-label": `${label} ${t.id}`,
      onclick: () => this.act(t, action, button, problem),
    }, label);
    return el("li", { class: `taskitem ${t.worker_id ? "taken" : "untaken"}`, "data-task": t.id },
      el("div", {},
        el("strong", {}, `${t.id}`), " ",
        el("span", {}, `${action === "take" ? dayName(t.day, "short") + ", " : ""}${span(t)}`), " ",
        el("span", { class: "tag" }, skillText(t.skill))),
      button, problem);
  },

  async act(t, action, button, problem) {
    button.disabled = true;
    problem.hidden = true;
    try {
      const path = `/tasks/${encodeURIComponent(t.id)}/${action}`;
      const done = action === "take" ? await api("POST", path, { worker_id: this.worker.id })
        : await api("POST", path);
      setStatus(action === "take" ? `You took ${done.id} (${span(done)}).` : `You released ${done.id}; it is untaken again.`,
        "ok");
      await this.load();
    } catch (err) {
      if (!(err instanceof ApiProblem)) throw err;
      const reasons = { skill: "you do not have the skill it needs.", shift: "it is not inside one of your shifts.",
        overlap: "it clashes with a task you already hold." };
      renderProblem(problem, err, this.tasks);
      if (reasons[err.body.reason]) problem.firstChild.replaceChildren(el("strong", {}, `Refused: ${reasons[err.body.reason]}`));
      button.disabled = false;
      button.focus();
    }
  },
};

if (PAGE.page === "board") Board.init();
if (PAGE.page === "installer") Installer.init();
