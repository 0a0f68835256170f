import { describe, expect, it } from 'vitest';
import {
  inMaintenance,
  parseServersState,
  renderHaproxyConfig,
  renderWanConfig,
} from './haproxy-config.js';

const base = {
  bindHost: '127.0.0.1',
  bindPort: 8080,
  statsSocket: '/tmp/x/admin.sock',
  pidFile: '/tmp/x/haproxy.pid',
  servers: [
    { name: 'a-1', region: 'a', host: '127.0.0.1', port: 9001, backup: false },
    { name: 'b-1', region: 'b', host: '127.0.0.1', port: 9002, backup: true },
  ],
  health: { intervalMs: 1000, fall: 3, rise: 2, timeoutMs: 500 },
};

describe('renderHaproxyConfig', () => {
  it('GIVEN an API isolation map WHEN rendered THEN one frontend rule answers 503 to everything but /healthz and /status… while the map says isolated; none without a map', () => {
    const cfg = renderHaproxyConfig({
      ...base,
      disabled: new Set(),
      apiIsolationMap: '/tmp/x/api-isolation.map',
    });
    const rule = cfg.split('\n').find((l) => l.includes('http-request return'));
    expect(rule).toContain('status 503');
    expect(rule).toContain(
      '!{ path /healthz } !{ path /api/v2/summary.json } !{ path_beg /status }',
    );
    expect(rule).toContain('{ str(api),map(/tmp/x/api-isolation.map,open) -m str isolated }');
    expect(rule).toContain('hdr X-Drkit-Isolated 1');
    // in the frontend, before any backend is chosen
    expect(cfg.indexOf('http-request return')).toBeLessThan(cfg.indexOf('use_backend'));
    expect(renderHaproxyConfig({ ...base, disabled: new Set() })).not.toContain('http-request');
  });
  it('GIVEN two regions WHEN rendered THEN B is backup, checks use /healthz with inter/fall/rise from config, admin socket', () => {
    const cfg = renderHaproxyConfig({ ...base, disabled: new Set() });
    expect(cfg).toContain('stats socket /tmp/x/admin.sock mode 600 level admin');
    expect(cfg).toContain('option httpchk GET /healthz');
    expect(cfg).toContain('default-server inter 1000ms fall 3 rise 2');
    expect(cfg).toContain('server a-1 127.0.0.1:9001 check\n');
    expect(cfg).toContain('server b-1 127.0.0.1:9002 check backup\n');
    expect(cfg).toContain('option allbackups');
  });
  it('GIVEN the front door WHEN rendered THEN /webhooks/ goes to a backend of its own with the same servers (a webhook outage can be made there alone)', () => {
    const cfg = renderHaproxyConfig({ ...base, disabled: new Set(['b-1']) });
    expect(cfg).toContain(
      '    use_backend webhooks if { path_beg /webhooks/ }\n    default_backend app\n',
    );
    const webhooks = cfg.slice(cfg.indexOf('backend webhooks'));
    expect(webhooks).toContain('option httpchk GET /healthz');
    expect(webhooks).toContain('server a-1 127.0.0.1:9001 check\n');
    expect(webhooks).toContain('server b-1 127.0.0.1:9002 check backup disabled\n');
    expect(cfg.match(/server b-1 .* disabled/g)).toHaveLength(2);
  });
  it('writes routed-away servers disabled, so a restart keeps them out of service', () => {
    expect(renderHaproxyConfig({ ...base, disabled: new Set(['a-1']) })).toContain(
      'server a-1 127.0.0.1:9001 check disabled',
    );
  });
  it('GIVEN a metrics port WHEN rendered THEN a stats frontend serves the Prometheus exporter on /metrics; none without', () => {
    const cfg = renderHaproxyConfig({ ...base, disabled: new Set(), metricsPort: 8405 });
    expect(cfg).toContain(
      'frontend stats\n    bind 127.0.0.1:8405\n    http-request use-service prometheus-exporter if { path /metrics }\n',
    );
    expect(renderHaproxyConfig({ ...base, disabled: new Set() })).not.toContain('prometheus');
  });
  it('GIVEN a status page port WHEN rendered THEN /status and /api/v2/summary.json go to its backend before any other rule; none without', () => {
    const cfg = renderHaproxyConfig({ ...base, disabled: new Set(), statusPagePort: 9400 });
    const rules = cfg.split('\n').filter((l) => l.includes('use_backend'));
    expect(rules[0]).toBe(
      '    use_backend status_page if { path_beg /status } || { path /api/v2/summary.json }',
    );
    expect(cfg).toContain('backend status_page\n    server status 127.0.0.1:9400');
    expect(renderHaproxyConfig({ ...base, disabled: new Set() })).not.toContain('status_page');
  });

  it("renders no listen section: the inter-region links are the WAN's", () => {
    expect(renderHaproxyConfig({ ...base, disabled: new Set() })).not.toContain('listen ');
  });
});

describe('renderWanConfig', () => {
  const wan = {
    bindHost: '127.0.0.1',
    statsSocket: '/tmp/x/wan/admin.sock',
    pidFile: '/tmp/x/wan/haproxy.pid',
  };
  it('GIVEN an inter-region link WHEN rendered THEN a tcp listen section forwards to its one server, unchecked, with long timeouts', () => {
    const cfg = renderWanConfig({
      ...wan,
      links: [{ name: 'link-a-b', bindPort: 7001, server: 'pg-a', host: '127.0.0.1', port: 5432 }],
    });
    expect(cfg).toContain('stats socket /tmp/x/wan/admin.sock mode 600 level admin');
    expect(cfg).toContain('pidfile /tmp/x/wan/haproxy.pid');
    expect(cfg).toContain('    mode tcp\n');
    expect(cfg).toContain('timeout client 1h');
    expect(cfg).toContain('timeout server 1h');
    const section = cfg.slice(cfg.indexOf('listen link-a-b'));
    expect(section).toBe(
      'listen link-a-b\n    bind 127.0.0.1:7001\n    server pg-a 127.0.0.1:5432\n',
    );
  });
  it('GIVEN the WAN WHEN rendered THEN it logs connections on stderr and has no front door', () => {
    const cfg = renderWanConfig({ ...wan, links: [] });
    expect(cfg).toContain('log stderr format iso local0 info');
    expect(cfg).toContain('option tcplog');
    expect(cfg).not.toMatch(/frontend|backend|mode http/);
  });
});

describe('parseServersState', () => {
  // The column layout HAProxy 2.6.12 prints for `show servers state app` (checked against a live lab).
  const sample = `1
# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port
3 app 1 a-1 127.0.0.1 0 1 1 1 12 6 3 0 6 0 0 0 - 9001 - 0 0 - - 0
3 app 2 b-1 127.0.0.1 2 0 1 1 40 6 3 4 6 0 0 0 - 9002 - 0 0 - - 0
`;
  it('reads op and admin state per server', () => {
    expect(parseServersState(sample)).toEqual([
      { name: 'a-1', address: '127.0.0.1:9001', opState: 0, adminState: 1 },
      { name: 'b-1', address: '127.0.0.1:9002', opState: 2, adminState: 0 },
    ]);
  });
  it('treats forced, inherited and config maintenance as maintenance, drain as not', () => {
    expect([0x01, 0x02, 0x04, 0x05].map(inMaintenance)).toEqual([true, true, true, true]);
    expect([0x00, 0x08].map(inMaintenance)).toEqual([false, false]);
  });
});
