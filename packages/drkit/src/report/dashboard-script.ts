/**
 * The page's own script (runs in the browser, after uPlot): one RTO and one RPO chart per
 * scenario from the `drkit-chart-data` JSON block, and the replica and archive lag charts from
 * `drkit-lag-data` (left on `window.drkitLagCharts`). Every text it shows goes through uPlot's
 * textContent, never innerHTML. The charts are left on `window.drkitCharts` for inspection.
 *
 * The y scale is asinh (linear near 0, logarithmic beyond 1 s): a drill of seconds and its target
 * of minutes are both readable, and an RPO of 0 stays on the chart (a log scale drops it).
 * The target is drawn as a stepped dashed line at each drill's own target, stretched half a day
 * (or 5 % of the span) past the first and last drill so that a scenario drilled once still
 * shows its target as a line, not a dot.
 */
export const DASHBOARD_SCRIPT = `(function () {
  'use strict';
  var history = JSON.parse(document.getElementById('drkit-chart-data').textContent);
  var charts = [];
  // Each drill is its own event: points, no line implying a measurement between drills.
  var none = function () { return null; };
  // Labels at 0 and whole powers of ten only (the minor grid lines stay), never below 0.
  var decades = function (u, splits) {
    return splits.map(function (v) {
      var l = Math.log10(v);
      return v === 0 || (v > 0 && Math.abs(l - Math.round(l)) < 1e-9) ? v : null;
    });
  };
  var COLORS = { rto: '#0969da', rpo: '#8250df', upper: '#9a6700', target: '#cf222e' };
  history.forEach(function (h, i) {
    var ts = h.drills.map(function (d) { return Date.parse(d.startedAt) / 1000; });
    var first = ts[0];
    var last = ts[ts.length - 1];
    var pad = Math.max((last - first) * 0.05, 43200);
    var xs = [first - pad].concat(ts, [last + pad]);
    var ends = function (vs) { return [null].concat(vs, [null]); };
    ['rto', 'rpo'].forEach(function (m) {
      var host = document.getElementById('chart-' + i + '-' + m);
      if (!host) return;
      var achieved = h.drills.map(function (d) { return d[m + 'Seconds'] == null ? null : d[m + 'Seconds']; });
      var target = h.drills.map(function (d) { return d[m + 'TargetSeconds']; });
      var series = [
        {},
        { label: m.toUpperCase() + ' achieved (s)', stroke: COLORS[m], width: 2, paths: none,
          points: { show: true, size: 9, fill: COLORS[m] } },
        { label: m.toUpperCase() + ' target (s)', stroke: COLORS.target, width: 2, dash: [8, 4],
          points: { show: false }, paths: uPlot.paths.stepped({ align: 1 }) },
      ];
      var data = [xs, ends(achieved), [target[0]].concat(target, [target[target.length - 1]])];
      var upper = h.drills.map(function (d) { return d.rpoUpperBoundSeconds == null ? null : d.rpoUpperBoundSeconds; });
      if (m === 'rpo' && upper.some(function (v) { return v !== null; })) {
        series.push({ label: 'RPO upper bound (s)', stroke: COLORS.upper, width: 1, paths: none,
          points: { show: true, size: 6, fill: COLORS.upper } });
        data.push(ends(upper));
      }
      var u = new uPlot({
        title: h.scenario + ' — ' + m.toUpperCase() + ' per drill vs target',
        width: Math.max(host.clientWidth, 320),
        height: 240,
        scales: { x: { time: true }, y: { distr: 4, log: 10, asinh: 1,
          range: function (u, min, max) { return [0, Math.max(max || 0, 1) * 3]; } } },
        axes: [{}, { label: 'seconds (asinh scale)', size: 60,
          filter: decades }],
        series: series,
      }, data, host);
      charts.push({ scenario: h.scenario, metric: m, target: target[target.length - 1], targetColor: COLORS.target, uplot: u });
    });
  });
  window.drkitCharts = charts;

  // Lag over time: one line per primary (archive) or standby (replica), samples as points, the
  // RPO target as a dashed line across the whole span.
  var lag = JSON.parse(document.getElementById('drkit-lag-data').textContent);
  var lagCharts = [];
  var PALETTE = ['#0969da', '#8250df', '#1a7f37', '#9a6700', '#bf3989'];
  if (lag) {
    var lx = lag.times.slice();
    if (lx.length === 1) lx = [lx[0] - 30, lx[0], lx[0] + 30];
    var single = lag.times.length === 1;
    [['replica', 'Replica lag (standby replay) over time'], ['archive', 'Archive lag (since the newest archived WAL) over time']].forEach(function (k) {
      var host = document.getElementById('chart-lag-' + k[0]);
      if (!host) return;
      var lines = lag[k[0]];
      var series = [{}];
      var data = [lx];
      lines.forEach(function (l, j) {
        var c = PALETTE[j % PALETTE.length];
        series.push({ label: l.label + ' (s)', stroke: c, width: 2, spanGaps: false,
          points: { show: true, size: 5, fill: c } });
        data.push(single ? [null, l.values[0], null] : l.values);
      });
      series.push({ label: 'RPO target (s)', stroke: COLORS.target, width: 2, dash: [8, 4],
        points: { show: false } });
      data.push(lx.map(function () { return lag.rpoTargetSeconds; }));
      var u = new uPlot({
        title: k[1],
        width: Math.max(host.clientWidth, 320),
        height: 240,
        scales: { x: { time: true }, y: { distr: 4, log: 10, asinh: 1,
          range: function (u, min, max) { return [0, Math.max(max || 0, 1) * 3]; } } },
        axes: [{}, { label: 'seconds (asinh scale)', size: 60, filter: decades }],
        series: series,
      }, data, host);
      lagCharts.push({ kind: k[0], labels: lines.map(function (l) { return l.label; }), target: lag.rpoTargetSeconds, uplot: u });
    });
  }
  window.drkitLagCharts = lagCharts;
})();
`;
