/** The lab's front door (HAProxy behind the {@link Router} port) and its WAN between regions (a second HAProxy). */
export { HaproxyRouter, type HaproxyRouterOptions } from './haproxy-router.js';
export { HaproxyWan, type HaproxyWanOptions, type WanLinkStatus } from './haproxy-wan.js';
export { HaproxyProcess, type HaproxyProcessOptions } from './haproxy-process.js';
export {
  renderHaproxyConfig,
  renderWanConfig,
  parseServersState,
  inMaintenance,
  API_ISOLATION_KEY,
  BACKEND,
  ISOLATION_EXEMPT,
  WEBHOOKS_BACKEND,
  type HaproxyServer,
  type HaproxyTcpLink,
  type HealthCheckSettings,
  type HaproxySettings,
  type HaproxyWanSettings,
  type HaproxyProcessSettings,
  type ServerState,
} from './haproxy-config.js';
export { runtimeCommand, type RuntimeCommandOptions } from './haproxy-runtime.js';
export { HaproxyLink, type LinkState } from './haproxy-link.js';
export { HaproxyApiGateway, FRONT_DOOR_API } from './haproxy-api-gateway.js';
