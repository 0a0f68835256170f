import { DrError } from '../../engine/errors.js';
import { inMaintenance, parseServersState, type HaproxyTcpLink } from './haproxy-config.js';
import type { HaproxyProcess } from './haproxy-process.js';

/** Whether traffic passes a link. */
export type LinkState = 'up' | 'cut';

/**
 * One TCP link of the lab's WAN (see {@link HaproxyTcpLink}), cut and healed through its
 * HAProxy's runtime API: the network partition of a drill. Cutting puts the link's server in
 * maintenance (new connections are accepted by HAProxy and closed at once, as nothing may
 * serve them) and shuts its established sessions; healing makes it ready again.
 * Idempotent both ways.
 */
export class HaproxyLink {
  constructor(
    private readonly proc: HaproxyProcess,
    readonly link: HaproxyTcpLink,
  ) {}

  get name(): string {
    return this.link.name;
  }

  /** `set server <link>/<server> state maint`, then `shutdown sessions server <link>/<server>`. */
  async cut(): Promise<void> {
    // Maintenance first, so the peer's reconnect (walreceiver retries every
    // wal_retrieve_retry_interval) cannot slip in between the two commands.
    await this.cmd(`set server ${this.target} state maint`);
    await this.cmd(`shutdown sessions server ${this.target}`);
  }

  /** `set server <link>/<server> state ready`. */
  async heal(): Promise<void> {
    await this.cmd(`set server ${this.target} state ready`);
  }

  /** `cut` while the link's server is in maintenance (by any cause). */
  async state(): Promise<LinkState> {
    const rows = parseServersState(await this.proc.command(`show servers state ${this.link.name}`));
    const row = rows.find((r) => r.name === this.link.server);
    if (!row)
      throw new DrError('EXTERNAL', `HAProxy has no server ${this.target}`, {
        hint: `the running WAN was started without the link: restart it (\`drkit lab down\`, \`drkit lab up\`); config ${this.proc.configFile}`,
      });
    return inMaintenance(row.adminState) ? 'cut' : 'up';
  }

  private get target(): string {
    return `${this.link.name}/${this.link.server}`;
  }

  private async cmd(command: string): Promise<void> {
    const out = (await this.proc.command(command)).trim();
    if (out) throw new DrError('EXTERNAL', `HAProxy refused '${command}': ${out}`);
  }
}
