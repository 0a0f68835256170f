import { UsageError } from '../../engine/errors.js';
import { renderWanConfig, type HaproxyTcpLink } from './haproxy-config.js';
import { HaproxyLink, type LinkState } from './haproxy-link.js';
import { HaproxyProcess } from './haproxy-process.js';

/** Options of {@link HaproxyWan}. */
export interface HaproxyWanOptions {
  /** Directory of its haproxy.cfg, pid file, runtime socket and log. */
  readonly dir: string;
  /** The inter-region links, each bound on 127.0.0.1. */
  readonly links: readonly HaproxyTcpLink[];
  /** @default '/usr/sbin/haproxy' */
  readonly bin?: string;
}

/** A link as the WAN serves it now. */
export interface WanLinkStatus {
  readonly name: string;
  /** `127.0.0.1:<bindPort>`. */
  readonly listen: string;
  /** `<server> <host>:<port>`. */
  readonly to: string;
  readonly state: LinkState;
}

/**
 * The lab's WAN between regions: an HAProxy process of its own (not the front door's), one
 * `listen … mode tcp` per inter-region link. Replication streams through it, so the front
 * door can be stopped, restarted or lost without touching them; a partition cuts one of its
 * links through its runtime API ({@link HaproxyLink}).
 */
export class HaproxyWan {
  readonly kind = 'haproxy-wan';
  private readonly proc: HaproxyProcess;

  constructor(private readonly opts: HaproxyWanOptions) {
    this.proc = new HaproxyProcess({
      dir: opts.dir,
      what: 'the WAN (HAProxy serving the inter-region links)',
      hint: 'start it with `drkit lab up`',
      render: (files) => renderWanConfig({ ...files, bindHost: '127.0.0.1', links: opts.links }),
      ...(opts.bin ? { bin: opts.bin } : {}),
    });
  }

  get links(): readonly HaproxyTcpLink[] {
    return this.opts.links;
  }

  get configFile(): string {
    return this.proc.configFile;
  }

  get socket(): string {
    return this.proc.socket;
  }

  /** HAProxy's log: startup, alerts and one line per closed link connection (`option tcplog`). */
  get logFile(): string {
    return this.proc.logFile;
  }

  /** Writes haproxy.cfg, checks it and starts HAProxy. No-op when running. */
  async start(): Promise<void> {
    await this.proc.start();
  }

  /** Stops HAProxy (every link drops) and waits for it to exit. Idempotent. */
  async stop(): Promise<void> {
    await this.proc.stop();
  }

  /** HAProxy's pid when it runs. */
  pid(): number | undefined {
    return this.proc.pid();
  }

  /** One link, to cut or heal. @throws UsageError for an unknown name */
  link(name: string): HaproxyLink {
    const l = this.opts.links.find((x) => x.name === name);
    if (!l)
      throw new UsageError(`the WAN has no link '${name}'`, {
        hint: `links: ${this.opts.links.map((x) => x.name).join(', ') || 'none'}`,
      });
    return new HaproxyLink(this.proc, l);
  }

  /** Every link and whether it is cut. @throws PreconditionError when the WAN is not running */
  async status(): Promise<WanLinkStatus[]> {
    const out: WanLinkStatus[] = [];
    for (const l of this.opts.links)
      out.push({
        name: l.name,
        listen: `127.0.0.1:${l.bindPort}`,
        to: `${l.server} ${l.host}:${l.port}`,
        state: await this.link(l.name).state(),
      });
    return out;
  }
}
