import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Notification, Notifier } from '../../ports/notifier.js';
import type { AwsClients } from './clients.js';
import { awsCall } from './errors.js';

/** The notifier port on an SNS topic (email, chat and pager subscriptions hang off it). */
export class SnsNotifier implements Notifier {
  readonly kind = 'aws-sns';
  private readonly sns: SNSClient;

  constructor(
    private readonly opts: {
      readonly clients: AwsClients;
      readonly topicArn: string;
      readonly region?: string;
    },
  ) {
    this.sns = opts.clients.sns(opts.region ?? opts.topicArn.split(':')[3]);
  }

  planNotify(msg: Notification): string[] {
    return [`sns:Publish TopicArn=${this.opts.topicArn} Subject="${msg.subject}"`];
  }

  async notify(msg: Notification): Promise<void> {
    await awsCall({ action: 'sns:Publish', resource: this.opts.topicArn }, () =>
      this.sns.send(
        new PublishCommand({
          TopicArn: this.opts.topicArn,
          Subject: snsSubject(`[${msg.severity}] ${msg.subject}`),
          Message: `${msg.body}\n\n(at ${(msg.at ?? new Date()).toISOString()})`,
          MessageAttributes: { severity: { DataType: 'String', StringValue: msg.severity } },
        }),
      ),
    );
  }
}

/** SNS subjects: ASCII, no line breaks, at most 100 characters. */
export function snsSubject(s: string): string {
  const ascii = s.replace(/[\r\n]+/g, ' ').replace(/[^\x20-\x7e]/g, '?');
  return ascii.length <= 100 ? ascii : `${ascii.slice(0, 97)}...`;
}
