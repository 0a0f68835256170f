import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

/** Properties of {@link AlarmTopic}. */
export interface AlarmTopicProps {
  /** Topic name (deterministic: the failover state machine publishes to it). */
  readonly topicName: string;
  /**
   * Email subscribed to the topic.
   * @default - none
   */
  readonly email?: string;
  /**
   * HTTPS webhook subscribed to the topic (raw delivery of the JSON message).
   * @default - none
   */
  readonly webhookUrl?: string;
}

/**
 * The SNS topic every alarm and the failover's Notify state publish to. Encrypted with its own
 * key whose policy lets CloudWatch alarms publish (the AWS managed SNS key would not).
 */
export class AlarmTopic extends Construct {
  /** The topic. */
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    const key = new kms.Key(this, 'Key', {
      description: 'drkit alarm topic',
      enableKeyRotation: true,
      pendingWindow: Duration.days(7),
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.topic = new sns.Topic(this, 'Topic', {
      topicName: props.topicName,
      masterKey: key,
      enforceSSL: true,
    });
    if (props.email) this.topic.addSubscription(new subs.EmailSubscription(props.email));
    if (props.webhookUrl)
      this.topic.addSubscription(
        new subs.UrlSubscription(props.webhookUrl, { rawMessageDelivery: true }),
      );
  }
}
