/*
 * The admin panel's script. Design: one loop polls GET api/admin/db-health every POLL_MS and
 * renders it; each reading also goes into a ring buffer of the last WINDOW_MS, from which three
 * small SVG line charts are drawn (commands per second by route, the tee's backlog age, the
 * divergent keys). Commands per second are the difference of two readings of the cumulative
 * `commands` counts. Every value reaches the DOM through textContent or an SVG attribute, never
 * as markup, so nothing the proxy reports can run as script here.
 * The admin key lives in sessionStorage only (this tab, until it closes); it is sent in the
 * x-admin-key header of the POSTs and forgotten at once when the proxy answers 401.
 */
(function () {
  'use strict';

  var POLL_MS = 2000;
  var HEALTH_TIMEOUT_MS = 8000;
  var WINDOW_MS = 10 * 60 * 1000;
  var MIN_SPAN_MS = 60 * 1000;
  var KEY_ITEM = 'kvfallback.adminKey';
  var ROUTES = ['upstream', 'fallback', 'local'];
  var SVG_NS = 'http://www.w3.org/2000/svg';

  var samples = [];      // {t, rates: {route: n}|null, backlogAge: s|null, divergent: n|null}
  var previous = null;   // the last reading: {t, commands}
  var lastAnswer = 0;

  function $(id) {
    return document.getElementById(id);
  }

  function text(id, value) {
    $(id).textContent = value === null || value === undefined ? '–' : String(value);
  }

  // ---- formatting -----------------------------------------------------------------------------

  function duration(ms) {
    if (ms === null || ms === undefined || ms < 0) {
      return '–';
    }
    var s = Math.round(ms / 1000);
    if (s < 60) {
      return s + ' s';
    }
    if (s < 3600) {
      return Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
    }
    if (s < 86400) {
      return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
    }
    return Math.floor(s / 86400) + ' d ' + Math.floor((s % 86400) / 3600) + ' h';
  }

  function clock(epochMs) {
    return epochMs ? new Date(epochMs).toLocaleString() : '–';
  }

  function number(n) {
    if (n === null || n === undefined) {
      return '–';
    }
    if (n >= 100 || n === Math.round(n)) {
      return Math.round(n).toLocaleString();
    }
    return n.toFixed(n >= 10 ? 1 : 2);
  }

  /** The mode an operator reads: kv, mongodb or recovering. */
  function modeLabel(h) {
    if (h.mode === 'recovering') {
      return 'recovering';
    }
    if (h.mode === 'fallback' || h.status === 'mongodb' || h.status === 'fallback') {
      return 'mongodb';
    }
    return 'kv';
  }

  // ---- rendering the health JSON --------------------------------------------------------------

  function render(h) {
    var now = h.now || Date.now();
    var mode = modeLabel(h);
    var badge = $('mode');
    badge.textContent = mode;
    badge.className = 'badge mode-' + mode;
    text('mode-since', clock(h.since) + ' (' + duration(now - h.since) + ' ago)');
    text('mode-cause', h.cause || 'none since start');
    renderBackend('kv', h.kv, 'url');
    renderBackend('mongodb', h.mongodb, 'store');
    renderAlarm(h);
    renderTee(h.tee);
    renderRecovery(h);
    renderChecks(h);
  }

  function renderBackend(id, b, where) {
    var state = $(id + '-state');
    if (!b) {
      state.textContent = '–';
      return;
    }
    state.textContent = b.available ? 'available' : 'down';
    state.className = b.available ? 'ok' : 'bad';
    var latency = b.available && b.latency_ms !== null && b.latency_ms !== undefined;
    text(id + '-latency', latency ? b.latency_ms + ' ms' : null);
    var detail = b.error ? b.error : (b[where] || '');
    text(id + '-detail', detail);
    $(id + '-detail').className = b.error ? 'bad' : 'muted';
  }

  function renderAlarm(h) {
    var alarm = $('alarm');
    var kvUp = h.health && h.health.kv;
    var mongoUp = h.health && h.health.mongodb;
    var message = null;
    if (!kvUp && !mongoUp) {
      message = 'Both Redis and MongoDB are down: clients get errors.';
    } else if (h.tee && h.tee.backlog_age_ms > 60000) {
      message = 'MongoDB is not keeping up: the oldest write has waited ' + duration(h.tee.backlog_age_ms) + '.';
    }
    alarm.hidden = message === null;
    alarm.textContent = message || '';
  }

  function renderTee(tee) {
    if (!tee) {
      ['tee-backlog', 'tee-age', 'tee-pending', 'tee-diverted'].forEach(function (id) {
        text(id, 'tee off');
      });
      return;
    }
    text('tee-backlog', number(tee.backlog) + ' writes');
    text('tee-age', duration(tee.backlog_age_ms));
    text('tee-pending', number(tee.copy_pending));
    text('tee-diverted', number(tee.effects_diverted));
  }

  function renderRecovery(h) {
    text('divergent', h.divergent_keys === null ? 'unknown (MongoDB not counted yet)' : number(h.divergent_keys));
    var r = h.replay;
    if (!r) {
      ['replay-state', 'replay-done', 'replay-rate', 'replay-eta'].forEach(function (id) {
        text(id, 'not used');
      });
      return;
    }
    text('replay-state', (r.running ? 'running' : 'idle') + ', ' + r.passes + ' passes'
        + (r.last_error ? ' — last error: ' + r.last_error : ''));
    text('replay-done', number(r.keys_done) + (r.keys_refused ? ' (' + number(r.keys_refused) + ' refused)' : ''));
    text('replay-rate', r.rate_keys_per_s === null ? null : number(r.rate_keys_per_s) + ' keys/s');
    text('replay-eta', r.eta_s === null || r.eta_s === undefined ? null : '≈ ' + duration(r.eta_s * 1000));
  }

  function renderChecks(h) {
    var b = h.tee && h.tee.backfill;
    if (!b) {
      text('backfill', h.tee ? 'none run' : 'tee off');
    } else {
      var dbs = b.dbs === null ? '' : ', ' + b.dbs_done + '/' + b.dbs + ' dbs';
      var state = b.running ? 'running since ' + clock(b.started_at)
          : 'finished ' + clock(b.finished_at);
      text('backfill', state + ': ' + number(b.scanned) + ' keys scanned' + dbs + (b.error ? ' — ' + b.error : ''));
    }
    var v = h.verify;
    if (!v) {
      text('verify', 'none run');
    } else if (v.running) {
      text('verify', 'running since ' + clock(v.started_at) + (v.repair ? ' (with repair)' : ''));
    } else if (v.error) {
      text('verify', 'failed ' + clock(v.finished_at) + ': ' + v.error);
    } else {
      text('verify', clock(v.finished_at) + ': ' + number(v.checked) + ' keys checked, ' + number(v.mismatched)
          + ' mismatched' + (v.repair ? ' (repair asked)' : '') + ', took ' + duration(v.took_ms));
    }
  }

  // ---- the time series ------------------------------------------------------------------------

  function record(h, t) {
    var rates = null;
    if (h.commands && previous && previous.commands && t > previous.t) {
      rates = {};
      ROUTES.forEach(function (route) {
        var delta = (h.commands[route] || 0) - (previous.commands[route] || 0);
        rates[route] = delta >= 0 ? delta * 1000 / (t - previous.t) : null; // a restarted proxy counts from 0
      });
    }
    previous = {t: t, commands: h.commands};
    samples.push({
      t: t,
      rates: rates,
      backlogAge: h.tee ? h.tee.backlog_age_ms / 1000 : null,
      divergent: h.divergent_keys
    });
    while (samples.length && samples[0].t < t - WINDOW_MS) {
      samples.shift();
    }
    ROUTES.forEach(function (route) {
      text('rate-' + route, rates && rates[route] !== null ? number(rates[route]) : null);
    });
  }

  function series(pick) {
    var points = [];
    samples.forEach(function (s) {
      var v = pick(s);
      if (v !== null && v !== undefined && isFinite(v)) {
        points.push([s.t, v]);
      }
    });
    return points;
  }

  /** The charts' time span: the readings kept, from one minute up to WINDOW_MS. */
  function span(t) {
    var kept = samples.length ? t - samples[0].t : 0;
    return Math.min(WINDOW_MS, Math.max(MIN_SPAN_MS, kept));
  }

  function drawAll(t) {
    var x = {end: t, span: span(t)};
    drawChart($('chart-commands'), x, ROUTES.map(function (route) {
      return {cls: 'route-' + route, points: series(function (s) {
        return s.rates ? s.rates[route] : null;
      })};
    }), '/s');
    drawChart($('chart-backlog'), x, [{cls: 'line-backlog', points: series(function (s) {
      return s.backlogAge;
    })}], ' s oldest write');
    drawChart($('chart-divergent'), x, [{cls: 'line-divergent', points: series(function (s) {
      return s.divergent;
    })}], ' divergent keys');
  }

  /** Lines over x.span up to x.end, scaled to the largest value; labels in HTML so they never stretch. */
  function drawChart(box, x, lines, unit) {
    var max = 0;
    lines.forEach(function (line) {
      line.points.forEach(function (p) {
        max = Math.max(max, p[1]);
      });
    });
    var top = max > 0 ? max * 1.1 : 1;
    var svg = document.createElementNS(SVG_NS, 'svg');
    svg.setAttribute('viewBox', '0 0 300 100');
    svg.setAttribute('preserveAspectRatio', 'none');
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', 'last ' + duration(x.span) + ', up to ' + number(max) + unit);
    [25, 50, 75].forEach(function (y) {
      var grid = document.createElementNS(SVG_NS, 'line');
      grid.setAttribute('x1', '0');
      grid.setAttribute('x2', '300');
      grid.setAttribute('y1', String(y));
      grid.setAttribute('y2', String(y));
      grid.setAttribute('class', 'grid');
      svg.appendChild(grid);
    });
    lines.forEach(function (line) {
      if (line.points.length === 0) {
        return;
      }
      var coords = line.points.map(function (p) {
        var across = 300 - (x.end - p[0]) * 300 / x.span;
        var up = 100 - p[1] * 100 / top;
        return across.toFixed(1) + ',' + up.toFixed(1);
      });
      if (coords.length === 1) {
        coords.push(coords[0]);
      }
      var polyline = document.createElementNS(SVG_NS, 'polyline');
      polyline.setAttribute('points', coords.join(' '));
      polyline.setAttribute('class', 'line ' + line.cls);
      polyline.setAttribute('vector-effect', 'non-scaling-stroke');
      svg.appendChild(polyline);
    });
    var scale = document.createElement('div');
    scale.className = 'scale';
    var high = document.createElement('span');
    high.textContent = 'max ' + number(max) + unit;
    var when = document.createElement('span');
    when.textContent = duration(x.span) + ' ago → now';
    scale.appendChild(high);
    scale.appendChild(when);
    box.replaceChildren(svg, scale);
  }

  // ---- polling --------------------------------------------------------------------------------

  function poll() {
    var controller = new AbortController();
    var timer = setTimeout(function () {
      controller.abort();
    }, HEALTH_TIMEOUT_MS);
    fetch('api/admin/db-health', {cache: 'no-store', signal: controller.signal})
        .then(function (response) {
          if (!response.ok) {
            throw new Error('HTTP ' + response.status);
          }
          return response.json();
        })
        .then(function (h) {
          var t = Date.now();
          lastAnswer = t;
          render(h);
          record(h, t);
          drawAll(t);
          var updated = $('updated');
          updated.textContent = 'updated ' + new Date(t).toLocaleTimeString() + ' · every ' + POLL_MS / 1000 + ' s';
          updated.className = 'muted';
        })
        .catch(function (e) {
          var updated = $('updated');
          updated.textContent = 'no answer from the proxy' + (lastAnswer ? ' since '
              + new Date(lastAnswer).toLocaleTimeString() : '') + ' (' + e.message + ')';
          updated.className = 'bad';
        })
        .finally(function () {
          clearTimeout(timer);
          setTimeout(poll, POLL_MS);
        });
  }

  // ---- the admin key and the actions ----------------------------------------------------------

  function keptKey() {
    try {
      return sessionStorage.getItem(KEY_ITEM);
    } catch (e) {
      return null;
    }
  }

  function keepKey(key) {
    try {
      if (key === null) {
        sessionStorage.removeItem(KEY_ITEM);
      } else {
        sessionStorage.setItem(KEY_ITEM, key);
      }
    } catch (e) {
      // storage refused (private mode): the key is used for this request only
    }
    $('key-state').textContent = keptKey() ? 'key kept for this tab' : 'no key kept';
  }

  /** The key typed now (then kept and cleared from the field), else the one kept in this tab. */
  function takeKey() {
    var field = $('admin-key');
    var typed = field.value;
    if (typed) {
      field.value = '';
      keepKey(typed);
      return typed;
    }
    return keptKey();
  }

  function showResult(kind, title, lines) {
    var box = $('action-result');
    box.className = 'result ' + kind;
    var heading = document.createElement('strong');
    heading.textContent = title;
    var children = [heading];
    (lines || []).forEach(function (line) {
      var p = document.createElement('div');
      p.textContent = line;
      children.push(p);
    });
    box.replaceChildren.apply(box, children);
  }

  var ACTIONS = {
    'act-fallback': {name: 'Force fallback', path: 'api/admin/mode?mode=fallback', summary: modeSummary},
    'act-auto': {name: 'Back to automatic', path: 'api/admin/mode?mode=auto', summary: modeSummary},
    'act-backfill': {name: 'Backfill', path: 'api/admin/backfill', summary: backfillSummary},
    'act-verify': {name: 'Verify', path: 'api/admin/verify?sample=20', summary: verifySummary},
    'act-verify-repair': {name: 'Verify and repair', path: 'api/admin/verify?repair=true&sample=20',
      summary: verifySummary}
  };

  function modeSummary(a) {
    var now = a.status === 'kv' ? 'kv' : a.mode === 'recovering' ? 'recovering' : 'mongodb';
    var lines = ['now serving: ' + now + ' (mode ' + a.mode + ')'];
    if (a.divergent_keys !== undefined) {
      lines.push(number(a.divergent_keys) + ' divergent keys to write back to Redis first');
    }
    if (a.reason) {
      lines.push(a.reason);
    }
    return [a.changed ? 'done' : 'no change', lines];
  }

  function backfillSummary(a) {
    var b = a.backfill || {};
    return [a.started ? 'started' : 'already running',
      [number(b.scanned) + ' keys scanned so far; progress shows under Backfill and verify']];
  }

  function verifySummary(a) {
    var lines = [number(a.checked) + ' keys checked, ' + number(a.mismatched) + ' mismatched, took '
        + duration(a.took_ms)];
    if (a.repair && a.mismatched > 0) {
      lines.push('the mismatched keys are being re-copied from Redis (' + number(a.copy_pending) + ' pending)');
    }
    (a.sample || []).forEach(function (s) {
      lines.push('db ' + s.db + ' · ' + s.key + ': ' + s.why);
    });
    return [a.mismatched ? 'differences found' : 'MongoDB matches Redis', lines];
  }

  function refusal(status, answer) {
    if (status === 401) {
      keepKey(null);
      return ['wrong admin key', ['the proxy refused the key (401); it was forgotten: enter it again']];
    }
    if (status === 403) {
      return ['admin operations are disabled', [answer.error || 'no admin key is configured on the proxy']];
    }
    return ['refused (HTTP ' + status + ')', [answer.error || '']];
  }

  function run(id) {
    var action = ACTIONS[id];
    var key = takeKey();
    if (!key) {
      showResult('bad', action.name + ': enter the admin key first', []);
      return;
    }
    setBusy(true);
    showResult('busy', action.name + ': running…', []);
    fetch(action.path, {method: 'POST', cache: 'no-store', headers: {'x-admin-key': key}})
        .then(function (response) {
          return response.json().catch(function () {
            return {};
          }).then(function (answer) {
            var outcome = response.ok ? action.summary(answer) : refusal(response.status, answer);
            showResult(response.ok ? 'ok' : 'bad', action.name + ': ' + outcome[0], outcome[1]);
          });
        })
        .catch(function (e) {
          showResult('bad', action.name + ': no answer from the proxy', [e.message]);
        })
        .finally(function () {
          setBusy(false);
        });
  }

  function setBusy(busy) {
    Object.keys(ACTIONS).forEach(function (id) {
      $(id).disabled = busy;
    });
  }

  function start() {
    Object.keys(ACTIONS).forEach(function (id) {
      $(id).addEventListener('click', function () {
        run(id);
      });
    });
    $('forget-key').addEventListener('click', function () {
      $('admin-key').value = '';
      keepKey(null);
      showResult('ok', 'key forgotten', []);
    });
    keepKey(keptKey());
    poll();
  }

  start();
}());
