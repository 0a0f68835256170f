import type { Mailer } from '../../ports/mailer.js';
import type { Notification, Notifier } from '../../ports/notifier.js';

/** The notifier port as email through a Mailer (SMTP, SES): one message to the given addresses. */
export class MailNotifier implements Notifier {
  readonly kind: string;

  constructor(
    private readonly mailer: Mailer,
    private readonly from: string,
    private readonly to: readonly string[],
  ) {
    this.kind = `email(${mailer.kind})`;
  }

  planNotify(msg: Notification): string[] {
    return this.mailer.planSend(this.mail(msg));
  }

  async notify(msg: Notification): Promise<void> {
    await this.mailer.send(this.mail(msg));
  }

  private mail(msg: Notification) {
    const at = (msg.at ?? new Date()).toISOString();
    return {
      from: this.from,
      to: this.to,
      subject: msg.subject,
      text: `${msg.body}\n\n(severity ${msg.severity}, at ${at})`,
    };
  }
}
