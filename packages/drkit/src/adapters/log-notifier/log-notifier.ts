import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Notification, Notifier } from '../../ports/notifier.js';

/**
 * Notifications appended to a JSONL file (the lab's pager): every message a runbook sends is
 * kept with its time, so drills can show who would have been told what, when.
 */
export class LogNotifier implements Notifier {
  readonly kind = 'log';

  constructor(
    readonly file: string,
    private readonly echo?: (line: string) => void,
  ) {}

  planNotify(msg: Notification): string[] {
    return [`notify ${this.kind}: [${msg.severity}] ${msg.subject}  # appended to ${this.file}`];
  }

  async notify(msg: Notification): Promise<void> {
    mkdirSync(path.dirname(this.file), { recursive: true });
    const at = (msg.at ?? new Date()).toISOString();
    appendFileSync(this.file, JSON.stringify({ ...msg, at }) + '\n');
    this.echo?.(`[${msg.severity}] ${msg.subject}`);
  }
}
