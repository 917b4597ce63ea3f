// The pingora4j admin UI: plain JavaScript over the admin API (api/...), no build step.
'use strict';
(function () {
  const api = 'api/';
  let auth = sessionStorage.getItem('pingora4j-auth');
  let config = {};
  let health = {};
  let certificates = [];
  let tab = 'servers';
  const samples = []; // {rps, lat} once a second, for the chart
  const MAX_SAMPLES = 120;

  const $ = (id) => document.getElementById(id);

  async function call(method, path, body) {
    const headers = { 'X-Requested-With': 'pingora4j-ui' }; // no browser password prompt on 401
    if (auth) headers.Authorization = 'Basic ' + auth;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const r = await fetch(api + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    let json = null;
    try { json = await r.json(); } catch (e) { json = null; }
    return { status: r.status, json };
  }

  async function login(ev) {
    ev.preventDefault();
    auth = btoa(unescape(encodeURIComponent($('user').value + ':' + $('password').value)));
    const r = await call('GET', 'config');
    if (r.status !== 200) {
      $('login-error').textContent = r.status === 403 ? 'Blocked: too many failed logins' : 'Wrong user or password';
      auth = null;
      return;
    }
    sessionStorage.setItem('pingora4j-auth', auth);
    show(true);
    await refresh();
  }

  function show(loggedIn) {
    $('login-view').hidden = loggedIn;
    $('app-view').hidden = !loggedIn;
    $('logout').hidden = !loggedIn;
  }

  async function refresh() {
    const [c, h, certs, reloads] = await Promise.all([call('GET', 'config'), call('GET', 'health'),
      call('GET', 'certificates'), call('GET', 'reloads')]);
    if (c.status === 401 || c.status === 403) { show(false); return; }
    config = c.json || {};
    health = h.json || {};
    certificates = certs.json || [];
    const last = reloads.json && reloads.json.last;
    $('reload-status').textContent = last ? (last.ok ? 'last reload ok at ' + last.at
      : 'last reload refused at ' + last.at + ': ' + last.problems.map((p) => p.key + ': ' + p.reason).join('; ')) : '';
    render();
  }

  function text(v) {
    return typeof v === 'string' ? v : JSON.stringify(v);
  }

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') e.className = v; else if (k.startsWith('data-')) e.setAttribute(k, v); else e[k] = v;
    }
    for (const c of children) e.append(c);
    return e;
  }

  function render() {
    const list = $('list');
    list.replaceChildren();
    if (tab === 'certificates') {
      for (const c of certificates) {
        list.append(el('div', { class: 'item', 'data-category': 'certificates', 'data-name': c.name },
          el('h3', {}, c.name), el('div', {}, 'domains: ' + (c.domains || []).join(', ')),
          el('div', {}, 'not after: ' + (c.not_after || 'unknown') + (c.acme ? ' (ACME)' : ''))));
      }
    }
    const items = config[tab] || {};
    for (const [name, table] of Object.entries(items)) {
      if (tab === 'certificates' && certificates.some((c) => c.name === name)) {
        list.querySelector('[data-name="' + CSS.escape(name) + '"]').append(form(tab, name, table));
        continue;
      }
      const card = el('div', { class: 'item', 'data-category': tab, 'data-name': name }, el('h3', {}, name));
      if (tab === 'upstreams') card.append(backends(name));
      card.append(form(tab, name, table));
      list.append(card);
    }
    if (!list.children.length) list.append(el('p', { class: 'muted' }, 'none'));
  }

  function backends(name) {
    const div = el('div', { class: 'backends' });
    for (const b of health[name] || []) {
      div.append(el('span', { class: 'backend', 'data-address': b.address }, b.address + ' ',
        el('span', { class: b.healthy ? 'healthy' : 'down' }, b.healthy ? 'healthy' : 'down')));
    }
    return div;
  }

  function field(key, value) {
    return el('div', { class: 'field' }, el('label', {}, key),
      el('input', { 'data-field': key, value: text(value), 'data-kind': typeof value }),
      el('span', { class: 'error', 'data-field': key }));
  }

  function form(category, name, table) {
    const f = el('form', { class: 'edit' });
    for (const [k, v] of Object.entries(table)) f.append(field(k, v));
    const add = el('input', { class: 'add-key', placeholder: 'add a key' });
    const addBtn = el('button', { type: 'button' }, 'Add key');
    addBtn.onclick = () => { if (add.value) { f.insertBefore(field(add.value, ''), add.parentNode); add.value = ''; } };
    const save = el('button', { type: 'submit', class: 'save' }, 'Save');
    const del = el('button', { type: 'button', class: 'delete' }, 'Delete');
    const status = el('span', { class: 'form-status' });
    f.append(el('div', {}, add, addBtn, ' ', save, ' ', del, ' ', status), el('div', { class: 'error form-error' }));
    f.onsubmit = async (ev) => {
      ev.preventDefault();
      const body = {};
      for (const input of f.querySelectorAll('input[data-field]')) {
        const k = input.getAttribute('data-field');
        if (input.value === '') continue;
        if (input.getAttribute('data-kind') === 'string') { body[k] = input.value; continue; }
        try { body[k] = JSON.parse(input.value); } catch (e) { body[k] = input.value; }
      }
      await write(f, status, 'PUT', category, name, body);
    };
    del.onclick = async () => {
      if (confirm('Delete ' + category + '.' + name + '?')) await write(f, status, 'DELETE', category, name);
    };
    return f;
  }

  // Problems go beside their field ("locations.all.headers_set[0]" → headers_set), the rest under the form.
  async function write(f, status, method, category, name, body) {
    for (const e of f.querySelectorAll('.error')) e.textContent = '';
    status.textContent = 'saving…';
    status.className = 'form-status';
    const r = await call(method, 'config/' + category + '/' + name, body);
    if (r.status === 200) {
      status.textContent = method === 'DELETE' ? 'deleted' : 'saved';
      status.className = 'form-status ok';
      if (method === 'DELETE') {
        delete (config[category] || {})[name];
        render();
      } else {
        config[category][name] = body; // the form stays as typed; the list re-reads on the next tab switch
      }
      return;
    }
    status.textContent = '';
    const prefix = category + '.' + name + '.';
    const problems = (r.json && r.json.problems) || [{ key: '', reason: (r.json && r.json.error) || 'HTTP ' + r.status }];
    for (const p of problems) {
      let target = null;
      if (p.key && p.key.startsWith(prefix)) {
        const k = p.key.substring(prefix.length).split(/[.[]/)[0];
        target = f.querySelector('.error[data-field="' + CSS.escape(k) + '"]');
      }
      (target || f.querySelector('.form-error')).textContent += (target ? '' : (p.key ? p.key + ': ' : '')) + p.reason + ' ';
    }
  }

  async function newItem(ev) {
    ev.preventDefault();
    const category = $('new-category').value;
    const name = $('new-name').value.trim();
    if (!name) { $('new-error').textContent = 'a name is needed'; return; }
    config[category] = config[category] || {};
    if (config[category][name]) { $('new-error').textContent = 'exists already'; return; }
    config[category][name] = {};
    tab = category;
    for (const b of document.querySelectorAll('#tabs button')) b.classList.toggle('active', b.dataset.tab === tab);
    render();
    $('new-error').textContent = 'add its keys below, then Save';
  }

  // The chart: two lines on one canvas, each scaled to its own maximum.
  function draw() {
    const c = $('chart');
    c.setAttribute('data-samples', String(samples.length));
    const g = c.getContext('2d');
    g.clearRect(0, 0, c.width, c.height);
    g.strokeStyle = '#e2e5ea';
    for (let y = 0; y <= 4; y++) { g.beginPath(); g.moveTo(0, y * c.height / 4); g.lineTo(c.width, y * c.height / 4); g.stroke(); }
    const line = (key, color) => {
      const max = Math.max(1, ...samples.map((s) => s[key]));
      g.strokeStyle = color;
      g.lineWidth = 2;
      g.beginPath();
      samples.forEach((s, i) => {
        const x = c.width - (samples.length - 1 - i) * (c.width / (MAX_SAMPLES - 1));
        const y = c.height - 4 - (s[key] / max) * (c.height - 8);
        if (i === 0) g.moveTo(x, y); else g.lineTo(x, y);
      });
      g.stroke();
      g.fillStyle = color;
      g.fillText(key + ' max ' + max.toFixed(1), 6, key === 'rps' ? 14 : 28);
    };
    line('rps', '#2f6fde');
    line('lat', '#e3831b');
  }

  async function sample() {
    if (!auth || $('app-view').hidden) return;
    const r = await call('GET', 'stats');
    if (r.status !== 200 || !r.json) return;
    const s = r.json;
    samples.push({ rps: Number(s.requests_per_second || 0), lat: Number(s.latency_p50_ms || 0) });
    if (samples.length > MAX_SAMPLES) samples.shift();
    $('figures').textContent = ' · ' + s.requests + ' requests, ' + (s.requests_per_second || 0) + ' req/s, p50 '
      + (s.latency_p50_ms || 0) + ' ms, p99 ' + (s.latency_p99_ms || 0) + ' ms';
    draw();
  }

  $('login-form').addEventListener('submit', login);
  $('new-form').addEventListener('submit', newItem);
  $('logout').onclick = () => { sessionStorage.removeItem('pingora4j-auth'); auth = null; show(false); };
  for (const b of document.querySelectorAll('#tabs button')) {
    b.onclick = () => {
      tab = b.dataset.tab;
      for (const o of document.querySelectorAll('#tabs button')) o.classList.toggle('active', o === b);
      refresh();
    };
  }
  setInterval(sample, 1000);
  // health and the reload status every few seconds; the forms are left alone (an edit may be under way)
  setInterval(async () => {
    if (!auth || $('app-view').hidden) return;
    const [h, reloads] = await Promise.all([call('GET', 'health'), call('GET', 'reloads')]);
    if (h.status !== 200) return;
    health = h.json || {};
    for (const card of document.querySelectorAll('.item[data-category="upstreams"]')) {
      const old = card.querySelector('.backends');
      if (old) old.replaceWith(backends(card.getAttribute('data-name')));
    }
    const last = reloads.json && reloads.json.last;
    if (last) $('reload-status').textContent = last.ok ? 'last reload ok at ' + last.at : 'last reload refused at ' + last.at;
  }, 2000);
  if (auth) { show(true); refresh(); }
})();
