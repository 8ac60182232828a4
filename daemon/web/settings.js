// photorig operator page: settings across the rig. Each camera's key
// settings side by side (read from the cameras on request, through the
// protocol's camera_settings), the ones that differ from the rest marked,
// and one camera or all changed through camera_set, which reads each
// camera's value back. Loaded after app.js (its api, el and say).
'use strict';

const KEY_SETTINGS = ['iso', 'aperture', 'f-number', 'shutterspeed', 'shutterspeed2', 'whitebalance',
  'imageformat', 'imagequality', 'capturetarget', 'exposure_absolute', 'exposure_time_absolute',
  'gain', 'white_balance_temperature', 'focus_absolute'];

const settings = {
  cameras: [],     // [{camera, settings: [...]} | {camera, error}]
  showAll: false,

  async read() {
    $('settings-read').disabled = true;
    say('busy', 'reading the settings of every camera…');
    try {
      const r = await api('camera_settings');
      if (!r.ok) { say('error', 'camera settings: ' + r.error); return; }
      this.cameras = r.cameras;
      const bad = r.cameras.filter((c) => c.error);
      say(bad.length ? 'error' : 'ok', 'settings read from ' + (r.cameras.length - bad.length) + ' of ' +
        r.cameras.length + ' cameras' + bad.map((c) => '; ' + c.camera + ': ' + c.error).join(''));
      this.render();
    } finally {
      $('settings-read').disabled = false;
    }
  },

  // key -> {label, choices, values: {camera: value}, type}
  rows() {
    const rows = new Map();
    for (const c of this.cameras) {
      for (const s of c.settings || []) {
        if (s.readonly) continue;
        if (!this.showAll && !KEY_SETTINGS.includes(s.key)) continue;
        let row = rows.get(s.key);
        if (!row) { row = { key: s.key, label: s.label, type: s.type, choices: s.choices, values: {} }; rows.set(s.key, row); }
        row.values[c.camera] = s.value;
        if (!row.choices && s.choices) row.choices = s.choices;
      }
    }
    const order = (k) => { const i = KEY_SETTINGS.indexOf(k); return i < 0 ? 1000 : i; };
    return Array.from(rows.values()).sort((a, b) => order(a.key) - order(b.key) || a.key.localeCompare(b.key));
  },

  // the value most cameras hold; a camera holding another one differs
  common(values) {
    const count = new Map();
    for (const v of Object.values(values)) count.set(v, (count.get(v) || 0) + 1);
    let best = null, n = 0;
    for (const [v, k] of count) if (k > n) { best = v; n = k; }
    return count.size > 1 ? best : null;
  },

  control(row, value) {
    let c;
    if (row.choices && row.choices.length) {
      c = el('select');
      const opts = row.choices.includes(value) || value === undefined ? row.choices : [value].concat(row.choices);
      for (const o of opts) { const op = el('option', '', o); op.value = o; c.append(op); }
      if (value !== undefined) c.value = value;
    } else {
      c = el('input');
      c.value = value === undefined ? '' : value;
      c.size = 8;
    }
    return c;
  },

  render() {
    const box = $('settings');
    const names = this.cameras.map((c) => c.camera);
    const table = el('table', 'settings');
    const head = el('tr');
    head.append(el('th', '', 'setting'), ...names.map((n) => el('th', '', n)), el('th', '', 'all cameras'));
    table.append(head);
    for (const row of this.rows()) {
      const tr = el('tr');
      tr.dataset.key = row.key;
      tr.append(el('th', '', row.label || row.key));
      const common = this.common(row.values);
      for (const cam of names) {
        const td = el('td');
        td.dataset.camera = cam;
        if (!(cam in row.values)) { td.textContent = '—'; tr.append(td); continue; }
        if (common !== null && row.values[cam] !== common) { td.className = 'differs'; td.title = 'differs from the rest (' + common + ')'; }
        const c = this.control(row, row.values[cam]);
        c.onchange = () => this.set(cam, row.key, c.value);
        td.append(c);
        tr.append(td);
      }
      const all = el('td', 'all');
      const c = this.control(row, common !== null ? common : Object.values(row.values)[0]);
      const b = el('button', 'apply-all', 'Set on all');
      b.onclick = () => this.set('*', row.key, c.value);
      all.append(c, b);
      tr.append(all);
      table.append(tr);
    }
    box.replaceChildren(table);
  },

  async set(camera, key, value) {
    const who = camera === '*' ? 'all cameras' : camera;
    say('busy', 'setting ' + key + ' = ' + value + ' on ' + who + '…');
    const r = await api('camera_set', { camera: camera, key: key, value: value });
    const res = (r.results || []).map((x) => x.camera + (x.ok ? ' reads back ' + x.value : ' refused: ' + x.error));
    say(r.ok ? 'ok' : 'error', key + ' = ' + value + ' on ' + who + ': ' +
      (res.length ? res.join('; ') : r.error || 'failed'));
    // what the cameras hold now, read back from each one
    const now = await api('camera_settings');
    if (now.ok) { this.cameras = now.cameras; this.render(); }
  },
};

function settingsInit() {
  $('settings-read').onclick = () => settings.read();
  $('settings-all').onchange = () => { settings.showAll = $('settings-all').checked; settings.render(); };
}

settingsInit();
