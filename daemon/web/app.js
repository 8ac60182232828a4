// photorig operator page. Everything goes through POST /api (one protocol
// request, the same dispatch as the control socket) and GET /events (the
// daemon's events as Server-Sent Events). No framework, no build step.
'use strict';

const $ = (id) => document.getElementById(id);
let csrf = '';
let reqId = 0;
let status = null;
let cameras = [];
let manifest = null;
let session = null;
const busyOps = new Map(); // request id -> what, for progress lines

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function say(kind, text) {
  const r = $('result');
  r.className = kind;
  r.textContent = text;
}

async function api(op, fields) {
  const id = ++reqId;
  const body = JSON.stringify(Object.assign({ v: 1, id: id, op: op }, fields || {}));
  const resp = await fetch('/api', {
    method: 'POST', credentials: 'same-origin', body: body,
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
  });
  if (resp.status === 401) { location.reload(); throw new Error('logged out'); }
  let j;
  try { j = await resp.json(); } catch (e) { j = { ok: false, error: 'HTTP ' + resp.status }; }
  if (!resp.ok && j.ok === undefined) j.ok = false;
  return j;
}

function ago(s) {
  if (s === undefined || s === null) return '?';
  if (s < 90) return Math.round(s) + ' s';
  if (s < 5400) return Math.round(s / 60) + ' min';
  if (s < 172800) return (s / 3600).toFixed(1) + ' h';
  return Math.round(s / 86400) + ' days';
}

function pct(x) { return (100 * x).toFixed(1) + ' %'; }

// ---- actions: each says what happened, in words ----

function describe(op, r) {
  if (!r.ok) return r.error || 'failed';
  switch (op) {
  case 'capture': {
    const sets = r.sets || [];
    return 'captured ' + sets.length + ' set' + (sets.length === 1 ? '' : 's') + ': ' +
      sets.map((s) => 'set ' + s.set + (s.complete ? ' complete' : ' incomplete (missing ' +
        (s.missing || []).join(', ') + ')')).join('; ');
  }
  case 'plate': {
    const cams = r.cameras || {};
    return 'plates recorded: ' + Object.keys(cams).sort().map((c) =>
      c + (cams[c].ok ? ' ok' : ' FAILED (' + (cams[c].error || '?') + ')')).join(', ');
  }
  case 'session_start': return 'session ' + r.session + ' active, next set ' + r.next_set + ' (' + r.dir + ')';
  case 'session_stop': return 'session ' + r.session + ' stopped after ' + r.sets + ' sets';
  case 'reload': return 'config reloaded (rig ' + r.rig + ')';
  case 'scan_start': case 'scan_pause': case 'scan_resume': case 'scan_stop':
    return op.replace('_', ' ') + ': ' + (r.scan ? scanWords(r.scan) : 'done');
  default: return op + ': done';
  }
}

async function act(button, op, fields, what) {
  button.disabled = true;
  const label = what || op.replace('_', ' ');
  say('busy', label + ': running…');
  const id = reqId + 1;
  busyOps.set(id, label);
  try {
    const r = await api(op, fields);
    say(r.ok ? 'ok' : 'error', (r.ok ? '' : label + ' failed: ') + describe(op, r));
    return r;
  } catch (e) {
    say('error', label + ' failed: ' + e.message);
    return null;
  } finally {
    busyOps.delete(id);
    button.disabled = false;
    refresh();
  }
}

function bindControls() {
  $('session-start').onclick = () => {
    const name = $('session-name').value.trim();
    if (!name) { say('error', 'session start: type a session name first'); return; }
    act($('session-start'), 'session_start', { name: name });
  };
  $('session-stop').onclick = () => act($('session-stop'), 'session_stop');
  $('capture').onclick = () => {
    const n = parseInt($('capture-count').value, 10) || 1;
    act($('capture'), 'capture', { count: n });
  };
  $('plate').onclick = () => act($('plate'), 'plate', {}, 'plate recording');
  $('reload').onclick = () => act($('reload'), 'reload');
  $('scan-start').onclick = () => {
    const steps = parseInt($('scan-steps').value, 10);
    act($('scan-start'), 'scan_start', steps > 0 ? { steps: steps } : {});
  };
  $('scan-pause').onclick = () => act($('scan-pause'), 'scan_pause');
  $('scan-resume').onclick = () => act($('scan-resume'), 'scan_resume');
  $('scan-stop').onclick = () => act($('scan-stop'), 'scan_stop');
  $('viewer-close').onclick = () => $('viewer').classList.add('hidden');
  $('viewer-mask').onchange = () => viewer.draw();
}

// ---- status, cameras, scan ----

function scanWords(s) {
  if (!s) return 'no scan';
  let t = 'scan ' + s.scan + ' ' + s.state + ': step ' + Math.min(s.steps_done + 1, s.steps) +
    ' of ' + s.steps + ', ' + s.steps_done + ' done';
  if (s.state === 'running' && s.eta_s !== null && s.eta_s !== undefined)
    t += ', about ' + ago(s.eta_s) + ' left';
  if (s.reason) t += ' (' + s.reason + ')';
  return t;
}

function showScan(s) {
  const box = $('scan-progress');
  if (!s) { box.classList.add('hidden'); $('scan-text').textContent = ''; return; }
  box.classList.remove('hidden');
  $('scan-bar').style.width = (s.steps ? 100 * s.steps_done / s.steps : 0) + '%';
  $('scan-text').textContent = scanWords(s);
}

function showSummary() {
  if (!status) return;
  $('rig').textContent = status.rig;
  const parts = [status.attached + ' of ' + status.cameras + ' cameras attached'];
  parts.push(status.session ? 'session ' + status.session.name + ', next set ' + status.session.next_set
    : 'no session');
  if (status.cluster && status.cluster.nodes)
    parts.push('nodes ' + status.cluster.nodes.map((n) => n.node + (n.online ? '' : ' OFFLINE')).join(', '));
  if (status.busy) parts.push(status.busy.what + ' ' + status.busy.done + '/' + status.busy.total);
  if (status.disk && status.disk.full) parts.push('DISK FULL');
  if (status.stopping) parts.push('stopping');
  $('summary').textContent = parts.join(' · ');
  if (status.session && !$('session-name').value) $('session-name').value = status.session.name;
  showScan(status.scan);
}

let refreshing = false;
async function refresh() {
  if (refreshing) return;
  refreshing = true;
  try {
    const [st, cams] = await Promise.all([api('status'), api('cameras')]);
    if (st.ok) status = st;
    if (cams.ok) cameras = cams.cameras;
    showSummary();
    const name = status && status.session ? status.session.name : null;
    if (name !== session) { session = name; manifest = null; await loadManifest(); }
    renderTiles();
  } catch (e) { /* shown by the live indicator */ }
  refreshing = false;
}

async function loadManifest() {
  if (!session) { manifest = null; renderSets(); return; }
  const r = await fetch('/files/' + encodeURIComponent(session) + '/manifest.json',
    { credentials: 'same-origin', cache: 'no-store' });
  manifest = r.ok ? await r.json() : null;
  renderTiles();
  renderSets();
}

function fileUrl(rel) {
  return '/files/' + encodeURIComponent(session) + '/' + rel.split('/').map(encodeURIComponent).join('/');
}

function lastShot(cam) {
  if (!manifest || !manifest.sets) return null;
  for (let i = manifest.sets.length - 1; i >= 0; i--) {
    const set = manifest.sets[i];
    const shot = (set.shots || []).find((s) => s.camera === cam);
    if (shot) return { set: set, shot: shot };
  }
  return null;
}

// With a cluster, cameras are named NODE/CAMERA; this node's own have a
// driver and their shots are in this node's session, the others' on theirs.
const isLocal = (cam) => 'driver' in cam;
const ownName = (cam) => cam.camera || cam.name;

function flagsOf(cam, last) {
  const f = [];
  if (cam.plate_error) f.push(['bad', 'PLATE UNREADABLE']);
  else if (cam.plate === null || cam.plate === false) f.push(['bad', 'NO PLATE']);
  else if (cam.plate && cam.plate.settings_match === false) f.push(['bad', 'PLATE SETTINGS DIFFER']);
  if (last) {
    const st = last.shot.mask_stats || {};
    if (st.suspect) f.push(['bad', 'SUSPECT: ' + st.suspect]);
    if (last.shot.state !== 'saved') f.push(['bad', 'MISSING in set ' + last.set.set]);
    if (st.stale_plate) f.push(['bad', 'STALE PLATE']);
    if (st.camera_moved) f.push(['bad', 'MOVED']);
    if (st.touches_border) f.push(['warn', 'BORDER']);
    if (last.shot.mask === 'failed') f.push(['bad', 'MASK FAILED']);
    if (last.shot.mask === 'skipped') f.push(['warn', 'NOT MASKED']);
    if (last.shot.v4l2 && last.shot.v4l2.controls_changed) f.push(['warn', 'CONTROLS CHANGED']);
  }
  if (!f.length && last) f.push(['ok', 'plate healthy']);
  return f;
}

const tileState = new Map(); // camera -> key of what its thumbnail shows

function newTile(cam) {
  const t = el('div', 'tile');
  t.dataset.camera = cam.name;
  const head = el('div', 'head');
  head.append(el('span', 'name', cam.name), el('span', 'state'));
  const canvas = el('canvas');
  canvas.width = 320; canvas.height = 240;
  const actions = el('div', 'actions');
  if (isLocal(cam)) {
    const pv = el('button', 'preview', 'Preview');
    pv.onclick = () => preview.open(ownName(cam));
    actions.append(pv);
    canvas.onclick = () => { const l = lastShot(ownName(cam)); if (l) viewer.open(cam.name, l); };
  }
  t.append(head, el('div', 'meta serial'), el('div', 'meta plate'), canvas,
    el('div', 'meta shot'), el('div', 'flags'), actions);
  return t;
}

function renderTiles() {
  const box = $('cameras');
  const names = cameras.map((c) => c.name);
  for (const t of Array.from(box.children))
    if (!names.includes(t.dataset.camera)) t.remove();
  for (const cam of cameras) {
    let t = Array.from(box.children).find((x) => x.dataset.camera === cam.name);
    if (!t) { t = newTile(cam); box.append(t); }
    const local = isLocal(cam);
    const last = local ? lastShot(ownName(cam)) : null;
    let state = cam.state || '?';
    if (state === 'ready' && last && last.shot.state !== 'saved') state = 'missing';
    const cls = state.includes('offline') ? 'offline' : state.replace(/\W+/g, '-');
    t.className = 'tile ' + cls;
    const s = t.querySelector('.state');
    s.className = 'state ' + cls;
    s.textContent = state.toUpperCase();
    t.querySelector('.serial').textContent = (local ? (cam.model || cam.driver) : 'node ' + cam.node) +
      ' · serial ' + (cam.serial || '?') + (cam.error && cam.state !== 'ready' ? ' · ' + cam.error : '');
    t.querySelector('.plate').textContent = cam.plate === true ? 'plate recorded (on node ' + cam.node + ')'
      : cam.plate ? 'plate ' + ago(cam.plate.age_s) + ' old, ' + cam.plate.frames + ' frames' : 'no plate recorded';
    const shotLine = t.querySelector('.shot');
    if (last) {
      const st = last.shot.mask_stats;
      shotLine.textContent = 'set ' + last.set.set + ': ' + (last.shot.state === 'saved'
        ? (st ? 'foreground ' + pct(st.foreground) : 'not masked' + (last.shot.note ? ' (' + last.shot.note + ')' : ''))
        : last.shot.state + (last.shot.note ? ' (' + last.shot.note + ')' : ''));
    } else {
      shotLine.textContent = local ? 'no shot yet in this session' : 'its shots are kept on node ' + cam.node;
    }
    const flags = t.querySelector('.flags');
    flags.replaceChildren(...flagsOf(cam, last).map(([k, w]) => el('span', 'flag ' + k, w)));
    const key = last ? last.set.set + '/' + last.shot.file + '/' + last.shot.mask : '';
    if (tileState.get(cam.name) !== key) {
      tileState.set(cam.name, key);
      drawShot(t.querySelector('canvas'), last, false);
    }
  }
}

// ---- images with their masks ----

function loadImage(url) {
  return new Promise((ok, fail) => {
    const i = new Image();
    i.onload = () => ok(i);
    i.onerror = () => fail(new Error('cannot load ' + url));
    i.src = url;
  });
}

function maskFile(shot) {
  return (shot.mask_files || []).find((f) => f.endsWith('.png') && f.indexOf('/masks/') > 0) ||
    (shot.mask_files || []).find((f) => f.endsWith('.png'));
}

// Draw img scaled into canvas; over it the mask (an image whose bright
// pixels are the object): the outline in magenta, and with tint the
// background darkened, so what the mask keeps stands out.
function drawMasked(canvas, img, mask, tint) {
  const w = canvas.width, h = canvas.height;
  const g = canvas.getContext('2d');
  g.clearRect(0, 0, w, h);
  if (img) g.drawImage(img, 0, 0, w, h);
  if (!mask) return;
  const m = document.createElement('canvas');
  m.width = w; m.height = h;
  const mg = m.getContext('2d');
  mg.drawImage(mask, 0, 0, w, h);
  const md = mg.getImageData(0, 0, w, h).data;
  const out = g.getImageData(0, 0, w, h);
  const o = out.data;
  const on = (x, y) => md[4 * (y * w + x)] >= 128;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const p = 4 * (y * w + x), v = on(x, y);
      if (v !== on(x - 1, y) || v !== on(x + 1, y) || v !== on(x, y - 1) || v !== on(x, y + 1)) {
        o[p] = 255; o[p + 1] = 0; o[p + 2] = 255;
      } else if (tint && !v) {
        o[p] = o[p] * 0.35; o[p + 1] = o[p + 1] * 0.35; o[p + 2] = o[p + 2] * 0.5 + 40;
      }
    }
  }
  g.putImageData(out, 0, 0);
}

async function drawShot(canvas, last, tint) {
  const g = canvas.getContext('2d');
  if (!last || last.shot.state !== 'saved') {
    g.fillStyle = '#0d1117'; g.fillRect(0, 0, canvas.width, canvas.height);
    g.fillStyle = '#9aa3ad'; g.font = '16px sans-serif';
    g.fillText(last ? 'no shot in set ' + last.set.set : 'no shot yet', 12, 28);
    return;
  }
  try {
    const img = await loadImage(fileUrl(last.shot.file));
    const mf = maskFile(last.shot);
    const mask = mf && last.shot.mask === 'written' ? await loadImage(fileUrl(mf)) : null;
    drawMasked(canvas, img, mask, tint);
  } catch (e) {
    g.fillStyle = '#f85149'; g.fillText(e.message, 12, 28);
  }
}

const viewer = {
  last: null,
  open(cam, last) {
    this.last = last;
    $('viewer-title').textContent = cam + ', set ' + last.set.set + ': ' + last.shot.file;
    $('viewer').classList.remove('hidden');
    this.draw();
  },
  async draw() {
    const c = $('viewer-canvas');
    const img = await loadImage(fileUrl(this.last.shot.file));
    c.width = img.naturalWidth; c.height = img.naturalHeight;
    const mf = maskFile(this.last.shot);
    const mask = $('viewer-mask').checked && mf ? await loadImage(fileUrl(mf)) : null;
    drawMasked(c, img, mask, true);
  },
};

function renderSets() {
  const box = $('sets');
  if (!manifest || !manifest.sets || !manifest.sets.length) {
    box.replaceChildren(el('div', 'meta', session ? 'no set yet in session ' + session : 'no session'));
    return;
  }
  const sets = manifest.sets.slice(-4).reverse();
  const key = sets.map((s) => s.set + ':' + (s.sheet || '')).join(',');
  if (box.dataset.key === key) return;
  box.dataset.key = key;
  box.replaceChildren(...sets.map((s) => {
    const d = el('div', 'set' + (s.complete ? '' : ' incomplete'));
    d.dataset.set = s.set;
    d.append(el('div', '', 'set ' + s.set + (s.complete ? ', complete' : ', INCOMPLETE: missing ' +
      (s.missing || []).join(', ')) + ', spread ' + (s.spread_ms || 0).toFixed(1) + ' ms'));
    if (s.sheet) {
      const img = el('img');
      img.alt = 'contact sheet of set ' + s.set;
      img.src = fileUrl(s.sheet);
      d.append(img);
    }
    const cams = el('div', 'cams');
    for (const shot of s.shots || []) {
      const b = el('button', '', shot.camera);
      b.disabled = shot.state !== 'saved';
      b.onclick = () => viewer.open(shot.camera, { set: s, shot: shot });
      cams.append(b);
    }
    d.append(cams);
    return d;
  }));
}

// ---- preview ----

const preview = {
  camera: null,
  timer: null,
  busy: false,
  open(cam) {
    this.camera = cam;
    $('preview-camera').textContent = cam;
    $('preview-box').classList.remove('hidden');
    $('preview-box').scrollIntoView({ behavior: 'smooth' });
    this.shoot();
  },
  close() {
    this.camera = null;
    $('preview-live').checked = false;
    this.loop();
    $('preview-box').classList.add('hidden');
  },
  loop() {
    clearInterval(this.timer);
    this.timer = $('preview-live').checked ? setInterval(() => this.shoot(), 2000) : null;
  },
  async shoot() {
    if (!this.camera || this.busy) return;
    this.busy = true;
    try {
      const r = await api('preview', { camera: this.camera });
      if (!r.ok) { $('preview-info').textContent = 'preview failed: ' + r.error; return; }
      const img = await loadImage('data:image/jpeg;base64,' + r.jpeg);
      const mask = r.mask_png && $('preview-overlay').checked
        ? await loadImage('data:image/png;base64,' + r.mask_png) : null;
      const c = $('preview-canvas');
      c.width = img.naturalWidth; c.height = img.naturalHeight;
      drawMasked(c, img, mask, false);
      const info = $('preview-info');
      info.replaceChildren(el('div', '', 'sharpness'), el('div', 'sharp', r.sharpness.toFixed(1)),
        el('div', 'meta', r.width + '×' + r.height + ', ' + (r.mask_png ? 'foreground ' + pct(r.foreground)
          : (r.mask_note || 'no mask')) + ', ' + new Date().toLocaleTimeString()));
    } catch (e) {
      $('preview-info').textContent = 'preview failed: ' + e.message;
    } finally {
      this.busy = false;
    }
  },
};

function bindPreview() {
  $('preview-again').onclick = () => preview.shoot();
  $('preview-close').onclick = () => preview.close();
  $('preview-live').onchange = () => preview.loop();
}

// ---- live events ----

let pending = null;
function soon(fn, ms) {
  clearTimeout(pending);
  pending = setTimeout(fn, ms);
}

function onEvent(ev) {
  switch (ev.event) {
  case 'progress': {
    const what = busyOps.get(ev.id) || ev.what;
    say('busy', what + ': ' + ev.done + ' of ' + ev.total + (ev.what === 'capture' ? ' sets' : ' frames'));
    break;
  }
  case 'set_complete': case 'sheet_written': case 'mask_written': case 'plate_saved':
    soon(async () => { await loadManifest(); refresh(); }, 100);
    break;
  case 'scan':
    if (status) { status.scan = ev; showScan(ev); }
    soon(refresh, 200);
    break;
  case 'error':
    say('error', (ev.camera ? ev.camera + ': ' : '') + (ev.error || 'error'));
    break;
  default:
    soon(refresh, 300);
  }
}

function listen() {
  const es = new EventSource('/events');
  es.addEventListener('hello', () => { $('live').className = 'live on'; $('live').textContent = 'live'; refresh(); });
  es.addEventListener('resync', () => { loadManifest(); refresh(); });
  es.onmessage = (m) => { try { onEvent(JSON.parse(m.data)); } catch (e) { /* not ours */ } };
  es.onerror = () => { $('live').className = 'live off'; $('live').textContent = 'offline'; };
}

async function main() {
  const r = await fetch('/api/session', { credentials: 'same-origin' });
  if (r.status === 401) { location.reload(); return; }
  csrf = (await r.json()).csrf;
  bindControls();
  bindPreview();
  listen();
  await refresh();
  setInterval(refresh, 2000); // camera states change without events (attach, offline)
}

main();
