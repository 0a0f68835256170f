/** The lab's front door: HAProxy behind the {@link Router} port. */
export { HaproxyRouter, type HaproxyRouterOptions } from './haproxy-router.js';
export { renderHaproxyConfig, parseServersState, inMaintenance, BACKEND, type HaproxyServer, type HaproxyTcpLink, type HealthCheckSettings, type HaproxySettings, type ServerState } from './haproxy-config.js';
export { runtimeCommand } from './haproxy-runtime.js';
export { HaproxyLink, type LinkState } from './haproxy-link.js';
