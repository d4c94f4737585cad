/**
 * The dashboard page's script, inlined: it polls api/featurejobs (a relative URL, so the page
 * also works behind `kubectl proxy`'s service path) every two seconds and lays out the
 * summaries the server computed (summarize-feature-job.ts). Text goes in through
 * textContent only, never as markup, so no status text can inject anything. No framework.
 */
export const POLL_INTERVAL_MS = 2000;

export const DASHBOARD_SCRIPT = `
'use strict';
(function () {
  var POLL_MS = ${POLL_INTERVAL_MS};
  var SVG = 'http://www.w3.org/2000/svg';
  var namespace = new URLSearchParams(location.search).get('namespace');
  var api = 'api/featurejobs' + (namespace ? '?namespace=' + encodeURIComponent(namespace) : '');

  function el(tag, className, children) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    (children || []).forEach(function (child) {
      if (child === undefined || child === null) return;
      node.append(typeof child === 'string' ? document.createTextNode(child) : child);
    });
    return node;
  }
  function svg(tag, attrs) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (key) { node.setAttribute(key, String(attrs[key])); });
    return node;
  }
  function time(iso) {
    var date = new Date(iso);
    return isNaN(date.getTime()) ? iso : date.toLocaleString();
  }
  function segment(className, count, total) {
    var span = el('span', className);
    span.style.width = (total > 0 ? (count * 100) / total : 0) + '%';
    span.title = count + ' ' + className;
    return span;
  }

  function progressBlock(job) {
    if (!job.progress) return el('p', 'progress-text muted', ['images: not counted yet (the plan is not written)']);
    var bar = el('div', 'bar progress', [segment('fill', job.progress.done, job.progress.total)]);
    bar.setAttribute('role', 'progressbar');
    bar.setAttribute('aria-valuemin', '0');
    bar.setAttribute('aria-valuemax', String(job.progress.total));
    bar.setAttribute('aria-valuenow', String(job.progress.done));
    return el('div', '', [bar, el('p', 'progress-text', [job.progress.text])]);
  }

  function partitionsBlock(p) {
    if (!p) return null;
    var bar = el('div', 'bar partitions', [
      segment('succeeded', p.succeeded, p.total),
      segment('failed', p.failed, p.total),
      segment('active', p.active, p.total),
      segment('pending', p.pending, p.total),
    ]);
    var legend = el('div', 'legend', [
      el('span', 'succeeded', [p.succeeded + ' succeeded']),
      el('span', 'failed', [p.failed + ' failed']),
      el('span', 'active', [p.active + ' active']),
      el('span', 'pending', [p.pending + ' pending']),
    ]);
    return el('div', '', [
      el('h3', '', ['Partitions: ' + p.text]),
      bar,
      legend,
      p.failedRanges ? el('p', '', ['Failed partitions: ' + p.failedRanges]) : null,
    ]);
  }

  function lineChart(series) {
    var width = 480, height = 90, pad = 4;
    var peak = Math.max.apply(null, series.map(function (point) { return point.imagesPerSecond; }).concat([0.1]));
    var step = series.length > 1 ? (width - 2 * pad) / (series.length - 1) : 0;
    var points = series.map(function (point, i) {
      var y = height - pad - (point.imagesPerSecond / peak) * (height - 2 * pad);
      return (pad + i * step).toFixed(1) + ',' + y.toFixed(1);
    });
    var chart = svg('svg', { viewBox: '0 0 ' + width + ' ' + height, width: width, height: height, role: 'img' });
    chart.setAttribute('aria-label', 'images per second over time');
    chart.append(svg('line', { class: 'axis', x1: pad, y1: height - pad, x2: width - pad, y2: height - pad }));
    chart.append(svg('polyline', { class: 'line', points: points.join(' ') }));
    return chart;
  }

  function throughputBlock(t) {
    if (!t.average && t.series.length === 0) return null;
    var last = t.series[t.series.length - 1];
    var parts = [];
    if (t.average) parts.push(t.average + ' on average since the start');
    if (last) parts.push('last ' + last.imagesPerSecond + ' img/s at ' + time(last.at));
    return el('div', 'throughput', [
      el('h3', '', ['Throughput']),
      el('p', '', [parts.join('; ')]),
      t.series.length >= 2 ? lineChart(t.series) : null,
      t.series.length >= 2
        ? el('p', 'muted', ['images/s between the status updates this operator saw (' + t.series.length + ' rates)'])
        : null,
    ]);
  }

  function problemsBlock(job) {
    if (job.problems.length === 0 && !job.statusError) return null;
    var items = job.problems.map(function (p) {
      return el('li', '', [
        el('span', 'reason', [p.reason]),
        ' (' + p.type + '=' + p.status + ', since ' + time(p.since) + '): ' + p.message,
      ]);
    });
    if (job.statusError) items.push(el('li', '', [el('span', 'reason', ['StatusUnreadable']), ': ' + job.statusError]));
    return el('div', 'failures', [el('h3', '', ['Failures']), el('ul', 'problems', items)]);
  }

  function screeChart(ratios) {
    var width = 480, height = 90, gap = 2;
    var bar = Math.max(1, (width - gap * ratios.length) / ratios.length);
    var top = Math.max.apply(null, ratios.concat([1e-9]));
    var chart = svg('svg', { viewBox: '0 0 ' + width + ' ' + height, width: width, height: height, role: 'img' });
    chart.setAttribute('aria-label', 'PCA explained variance ratio per component');
    ratios.forEach(function (ratio, i) {
      var h = (ratio / top) * (height - 4);
      chart.append(svg('rect', { class: 'scree', x: i * (bar + gap), y: height - h, width: bar, height: h }));
    });
    return chart;
  }

  function details(job) {
    var rows = [];
    function row(label, value) {
      if (value === undefined || value === null || value === '') return;
      rows.push(el('dt', '', [label]), el('dd', '', [String(value)]));
    }
    row('Model', job.model);
    row('Started', job.startTime && time(job.startTime));
    row('Completed', job.completionTime && time(job.completionTime));
    row('Manifest', job.manifestUri);
    row('Executor Job', job.executorJob);
    row('Table version', job.tableVersion);
    row('Cost', job.cost);
    if (job.retries) {
      row('Retried attempts', Object.keys(job.retries).map(function (k) { return k + ' ' + job.retries[k]; }).join(', '));
    }
    return rows.length > 0 ? el('dl', '', rows) : null;
  }

  function jobCard(job) {
    var card = el('section', 'job', [
      el('h2', '', [
        el('span', 'name', [job.name]),
        el('span', 'namespace', [job.namespace]),
        el('span', 'phase phase-' + job.phase, [job.phase]),
      ]),
      progressBlock(job),
      partitionsBlock(job.partitions),
      throughputBlock(job.throughput),
      problemsBlock(job),
      job.pca
        ? el('div', 'pca', [
            el('h3', '', ['PCA scree: component 1 explains ' +
              (job.pca.explainedVarianceRatio[0] * 100).toFixed(1) + '% of the variance']),
            screeChart(job.pca.explainedVarianceRatio),
          ])
        : null,
      job.failedPod
        ? el('div', 'log', [
            el('h3', '', ['Log of failed pod ' + job.failedPod.name]),
            job.failedPod.logUri ? el('p', 'log-uri', ['Full log tail: ', el('code', '', [job.failedPod.logUri])]) : null,
            job.failedPod.logTail ? el('pre', '', [job.failedPod.logTail]) : null,
          ])
        : null,
      details(job),
    ]);
    card.dataset.job = job.namespace + '/' + job.name;
    card.dataset.phase = job.phase;
    return card;
  }

  function show(answer, ok) {
    var message = document.getElementById('message');
    var jobs = document.getElementById('jobs');
    var watching = document.getElementById('watching');
    if (answer.watching) {
      watching.textContent = 'Operator watches ' + (answer.watching === 'all namespaces' ? '' : 'namespace ') + answer.watching;
    }
    if (!ok) {
      message.hidden = false;
      message.textContent = (answer.error ? answer.error + ': ' : '') + (answer.message || 'the operator did not answer');
      jobs.replaceChildren();
      document.getElementById('updated').textContent = 'Checked ' + new Date().toLocaleString();
      document.title = 'featurejob dashboard: ' + (answer.error || 'error');
      return;
    }
    document.getElementById('updated').textContent = 'Updated ' + time(answer.generatedAt);
    if (answer.jobs.length === 0) {
      message.hidden = false;
      message.textContent = 'No FeatureJobs' + (answer.namespace ? ' in namespace ' + answer.namespace : '') + '.';
    } else {
      message.hidden = true;
      message.textContent = '';
    }
    jobs.replaceChildren.apply(jobs, answer.jobs.map(jobCard));
    document.title = 'featurejob dashboard: ' + answer.jobs.length + ' FeatureJob' + (answer.jobs.length === 1 ? '' : 's');
  }

  function poll() {
    fetch(api, { headers: { accept: 'application/json' }, cache: 'no-store' })
      .then(function (response) {
        return response.json().then(function (body) { show(body, response.ok); });
      })
      .catch(function (error) {
        show({ message: 'cannot reach the operator: ' + error.message }, false);
      })
      .finally(function () { setTimeout(poll, POLL_MS); });
  }
  if (namespace) document.getElementById('scope').textContent = 'Showing namespace ' + namespace;
  poll();
})();
`;
