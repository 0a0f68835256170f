import { z } from 'zod';
import { IncidentsSchema } from './incidents-schema.js';

/** The worlds drkit binds runbooks to: the local two-region lab, or AWS (or moto). */
export const PROVIDER_NAMES = ['lab', 'aws'] as const;

/** One of {@link PROVIDER_NAMES}. */
export type ProviderName = (typeof PROVIDER_NAMES)[number];

/** One region's resources on AWS (RB-N-01). Missing keys are named when RB-N-01 is run. */
const AwsRegionSchema = z
  .object({
    /** Aurora cluster id (region B: the cross-region read replica cluster, or the global database's secondary). */
    dbCluster: z.string().min(1).optional(),
    /**
     * RDS PostgreSQL instance id, instead of `dbCluster` (the infra's dbMode `rds-postgres`;
     * region B: the cross-region read replica RB-N-01 promotes with PromoteReadReplica).
     */
    dbInstance: z.string().min(1).optional(),
    /** ECS cluster of the app's service. */
    ecsCluster: z.string().min(1).optional(),
    /** ECS service of the app. */
    ecsService: z.string().min(1).optional(),
    /** Value of the region's failover record (an IP for `A`, a host for `CNAME`). */
    recordValue: z.string().min(1).optional(),
    /** SetIdentifier of the region's failover record. @default the region's name */
    setIdentifier: z.string().min(1).optional(),
    /** Route 53 health check of the region's endpoint. @default none (record without health check) */
    healthCheckId: z.string().min(1).optional(),
  })
  .strict();

/**
 * The one schema of `drkit.config.yaml`. Every key has a default that gives the local lab, so
 * an empty file (or none) is a valid lab config.
 */
export const ConfigSchema = z
  .object({
    /** Which set of adapters runbooks are bound to. @default 'lab' */
    provider: z.enum(PROVIDER_NAMES).default('lab'),
    /** Where drkit keeps journals, locks and lab state; never inside a recovered system. */
    stateDir: z.string().min(1).default('.drkit'),
    /** Where drill evidence goes. */
    reportsDir: z.string().min(1).default('ops/dr/drill_reports'),
    targets: z
      .object({
        /** Recovery time objective. @default 30 */
        rtoTargetMinutes: z
          .number()
          .positive()
          .max(24 * 60)
          .default(30),
        /** Recovery point objective. @default 300 */
        rpoTargetSeconds: z
          .number()
          .nonnegative()
          .max(7 * 24 * 3600)
          .default(300),
      })
      .strict()
      .prefault({}),
    /**
     * The DR matrix (seed 001: "DR matrix reviewed; RTO/RPO targets documented"): components with
     * their tier and targets, and the drill scenarios whose evidence counts for each.
     * `drkit matrix` compares them with the last drill. Components given here replace the
     * default of the same name; the others keep the seeds' defaults.
     */
    matrix: z
      .object({
        /** A component whose newest drill is older than this is flagged. @default 92 (a quarter) */
        maxDrillAgeDays: z.number().positive().max(3660).default(92),
        /** @default the seeds' matrix (database, object-storage, search, key-value, payments-webhooks, email, dns-cdn) */
        components: z
          .record(
            z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
            z
              .object({
                /** 1 = most critical. */
                tier: z.number().int().min(0).max(9),
                rtoTargetMinutes: z
                  .number()
                  .positive()
                  .max(7 * 24 * 60),
                rpoTargetSeconds: z
                  .number()
                  .nonnegative()
                  .max(30 * 24 * 3600),
                /** Drill scenarios proving it (a report's `scenario`, e.g. `pitr`). */
                scenarios: z.array(z.string().min(1)).min(1),
                description: z.string().default(''),
              })
              .strict(),
          )
          .default({}),
      })
      .strict()
      .prefault({}),
    /** What `drkit verify` holds backups and archiving to (the RPO target comes from `targets`). */
    posture: z
      .object({
        /** The newest backup older than this fails. @default 26 (a daily backup and some slack) */
        maxBackupAgeHours: z
          .number()
          .positive()
          .max(24 * 366)
          .default(26),
        /** A recoverable window shorter than this fails. @default 7 (seeds: one release cycle) */
        minWindowDays: z.number().nonnegative().max(3660).default(7),
        /**
         * The app's core tables (in the app database of the cluster the app writes to): their
         * deleted-row counters are exported (`drkit_table_rows_deleted_total`) for the
         * mass-delete alert. @default ['users', 'orders', 'payments', 'messages'] (the lab app's)
         */
        coreTables: z
          .array(z.string().regex(/^[a-z_][a-z0-9_]*$/, 'a lower-case table name'))
          .default(['users', 'orders', 'payments', 'messages']),
        /**
         * More rows than this deleted from one core table within a minute fires
         * MassDeleteOnCoreTable (exported as `drkit_posture_mass_delete_rows`). @default 1000
         */
        massDeleteRows: z.number().int().positive().default(1000),
      })
      .strict()
      .prefault({}),
    lab: z
      .object({
        /** PostgreSQL server binaries. */
        pgBinDir: z.string().default('/usr/lib/postgresql/15/bin'),
        pgbackrestBin: z.string().default('pgbackrest'),
        /** First port of the lab's range; each cluster takes the next free one. @default 0 (pick free ports) */
        basePort: z.number().int().min(0).max(65535).default(0),
        /** Seconds between forced WAL segment switches: bounds the archive's lag. @default 10 */
        archiveTimeoutSeconds: z.number().int().min(1).max(3600).default(10),
        /** Full backups kept by pgBackRest. @default 2 */
        retentionFull: z.number().int().min(1).max(100).default(2),
        /** The app's read-through cache: a Redis server of the lab's own (Debian's redis-server). */
        cache: z
          .object({
            /** Start Redis and give the app its `cache` section. @default true */
            enabled: z.boolean().default(true),
            /** The app's keys all start with it (a flush removes these only). @default 'drkit-app:' */
            prefix: z
              .string()
              .regex(/^[A-Za-z0-9:_-]{1,64}$/, 'letters, digits, `:`, `_` and `-`, 1 to 64 of them')
              .default('drkit-app:'),
            /** Seconds a cached read lives. @default 300 */
            ttlSeconds: z.number().int().min(1).max(86_400).default(300),
            /** The server binary. @default 'redis-server' (on the PATH) */
            redisBin: z.string().default('redis-server'),
          })
          .strict()
          .prefault({}),
        /**
         * WAL a restored cluster prefetches ahead of replay (MiB; pgBackRest's async archive-get
         * queue); 0 fetches one segment at a time, synchronously. @default 256
         */
        walPrefetchMiB: z.number().int().min(0).max(65536).default(256),
        /** Segments that prefetch fetches in parallel. @default 2 */
        walPrefetchProcesses: z.number().int().min(1).max(64).default(2),
        seed: z
          .object({
            users: z.number().int().min(0).default(2000),
            ordersPerUser: z.number().int().min(0).default(5),
            paymentsPerOrder: z.number().min(0).default(1),
            messagesPerUser: z.number().int().min(0).default(3),
          })
          .strict()
          .prefault({}),
        regions: z
          .object({
            /** Build region B as a streaming hot standby of region A. @default true */
            standby: z.boolean().default(true),
            /** Commits on the primary wait for the standby (RPO 0 on failover). @default false */
            synchronous: z.boolean().default(false),
            /** App tasks in region A (primary). @default 2 */
            appTasksA: z.number().int().min(1).max(8).default(2),
            /** Warm app tasks in region B; a failover scales B up to appTasksA. @default 1 */
            appTasksB: z.number().int().min(0).max(8).default(1),
            /**
             * A second standby in region B that replays each commit `applyDelaySeconds` late: RB-N-02
             * restores a target in its unapplied window in seconds, whatever the database size.
             * Never a failover target. Off by default: it is one more restore and server at `lab up`.
             */
            delayedStandby: z
              .object({
                /** Build it at `lab up` (or pass `lab up --delayed-standby`). @default false */
                enabled: z.boolean().default(false),
                /** `recovery_min_apply_delay` in seconds: the window it protects. @default 3600 */
                applyDelaySeconds: z
                  .number()
                  .int()
                  .min(1)
                  .max(7 * 86_400)
                  .default(3600),
              })
              .strict()
              .prefault({}),
          })
          .strict()
          .prefault({}),
        healthCheck: z
          .object({
            /** Milliseconds between health checks (front door and detector). @default 1000 */
            intervalMs: z.number().int().min(100).max(60_000).default(1000),
            /** Consecutive failures that mark a target down and declare the incident. @default 3 */
            failureThreshold: z.number().int().min(1).max(10).default(3),
            /** Consecutive successes that mark a target up again. @default 2 */
            rise: z.number().int().min(1).max(10).default(2),
            /** A check slower than this fails. @default 500 */
            timeoutMs: z.number().int().min(50).max(30_000).default(500),
          })
          .strict()
          .prefault({}),
        alerting: z
          .object({
            /** Alert rules Prometheus loads (relative to the config file's directory). @default 'ops/prometheus/rules.yml' */
            rulesFile: z.string().min(1).default('ops/prometheus/rules.yml'),
            /** @default '/usr/bin/prometheus' (Debian's `prometheus`) */
            prometheusBin: z.string().min(1).default('/usr/bin/prometheus'),
            /** @default '/usr/bin/promtool' (Debian's `prometheus`) */
            promtoolBin: z.string().min(1).default('/usr/bin/promtool'),
            /** @default '/usr/bin/prometheus-alertmanager' (Debian's `prometheus-alertmanager`) */
            alertmanagerBin: z.string().min(1).default('/usr/bin/prometheus-alertmanager'),
            /** Scrape and rule evaluation interval of the lab's Prometheus. @default 1 */
            intervalSeconds: z.number().int().min(1).max(300).default(1),
          })
          .strict()
          .prefault({}),
        workload: z
          .object({
            /** Order writes per second from the workload generator. @default 20 */
            writesPerSecond: z.number().positive().max(5000).default(20),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    search: z
      .object({
        /** The search cluster (Typesense), e.g. `http://127.0.0.1:8108`. @default none (no searchIndex port) */
        url: z.string().url().optional(),
        /** Environment variable holding its admin API key (never in this file). @default 'TYPESENSE_API_KEY' */
        apiKeyEnv: z.string().min(1).default('TYPESENSE_API_KEY'),
        /** Collection schemas, row sources and hot slices (RB-N-04). @default 'ops/typesense/collections.json' */
        collectionsFile: z.string().min(1).default('ops/typesense/collections.json'),
        /**
         * How long the app takes to see a change of its config (the lab app re-reads it every
         * 200 ms): RB-N-04 tells the app its search is partial this long before a hot alias goes
         * live, so no hot-only answer leaves unmarked. @default 500
         */
        appConfigRefreshMs: z.number().int().min(0).max(600_000).default(500),
      })
      .strict()
      .prefault({}),
    aws: z
      .object({
        regionA: z.string().default('us-east-1'),
        regionB: z.string().default('us-west-2'),
        /** Endpoint override (the moto server in tests and the lab). */
        endpoint: z.string().url().optional(),
        /** SNS topic runbooks notify on `--provider aws`. @default none (notifications go to the state dir's log) */
        notifyTopicArn: z.string().min(1).optional(),
        /** CloudFront distribution RB-N-03 purges when no `distributionId` param is given. @default none */
        cdnDistributionId: z.string().min(1).optional(),
        /**
         * RB-N-03's S3 Batch Operations path: a restore with more copies than `above` hands them
         * to one S3 Batch Operations job (its `--param batch*` values override these).
         * @default none: every restore copies in-process
         */
        s3BatchOperations: z
          .object({
            /** Copies in a restore above which the batch path is taken. */
            above: z.number().int().positive(),
            /** Role S3 Batch Operations assumes. */
            roleArn: z.string().min(1).optional(),
            /** The 12-digit account that owns the job. */
            accountId: z
              .string()
              .regex(/^\d{12}$/, 'a 12-digit AWS account id')
              .optional(),
            /** Bucket the manifest CSV is uploaded to. */
            manifestBucket: z.string().min(3).optional(),
            /** Bucket of the completion report. @default manifestBucket */
            reportBucket: z.string().min(3).optional(),
          })
          .strict()
          .optional(),
        /**
         * Secrets Manager secret holding the database credentials (`username`, `password`) that
         * RB-N-02 uses to validate a restored cluster. The password is never logged.
         * @default 'drkit/db-credentials'
         */
        dbCredentialsSecret: z.string().min(1).default('drkit/db-credentials'),
        /** TLS to RDS: `require` encrypts without checking the CA, `verify-full` checks it. @default 'require' */
        dbSsl: z.enum(['require', 'verify-full', 'disable']).default('require'),
        /** Instance class of the writer created for a restored cluster. @default 'db.serverless' */
        writerInstanceClass: z.string().min(1).optional(),
        /** DB subnet group for restored clusters. @default the account default */
        dbSubnetGroupName: z.string().min(1).optional(),
        /**
         * The service's public URL, for RB-N-01's post-checks (`/healthz`, `/dbcheck`, smoke).
         * @default none: post-checks are journaled as not checked, never as passed
         */
        appUrl: z.string().url().optional(),
        /**
         * Secrets Manager secret (RDS style: `host`, `port`, `username`, `password`…) the app
         * reads its DB endpoint from; RB-N-01 rewrites `host`/`port` in the target region's copy.
         * @default 'drkit/db-endpoint'
         */
        dbEndpointSecret: z.string().min(1).default('drkit/db-endpoint'),
        /**
         * Functions that name the database by its cluster ARN (seed 003: every Lambda's
         * `DB_CLUSTER_ARN`); RB-N-02's swap points them at the restored cluster.
         * @default none
         */
        dbFunctions: z
          .object({
            names: z.array(z.string().min(1)).default([]),
            /** @default 'DB_CLUSTER_ARN' */
            envVar: z
              .string()
              .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name')
              .default('DB_CLUSTER_ARN'),
          })
          .strict()
          .prefault({}),
        /** The Route 53 failover record RB-N-01 flips. @default none (RB-N-01 refuses to run) */
        route53: z
          .object({
            hostedZoneId: z.string().min(1),
            /** e.g. `api.example.com.` */
            recordName: z.string().min(1),
            /** @default 'A' */
            recordType: z.enum(['A', 'AAAA', 'CNAME']).default('A'),
            /** @default 60 */
            ttl: z.number().int().min(1).default(60),
          })
          .strict()
          .optional(),
        /** What lives in each region, for RB-N-01 (`a` = regionA, `b` = regionB). */
        regions: z
          .object({ a: AwsRegionSchema.prefault({}), b: AwsRegionSchema.prefault({}) })
          .strict()
          .prefault({}),
        /** App tasks region B runs after a failover. @default 2 */
        failoverTasks: z.number().int().min(0).max(1000).default(2),
        /** App tasks region B keeps as a warm standby (RB-N-08 scales it back to this). @default 1 */
        warmTasks: z.number().int().min(0).max(1000).default(1),
        /**
         * The Aurora Global Database joining `regions.a.dbCluster` and `regions.b.dbCluster`. When
         * set, RB-N-01 promotes with FailoverGlobalCluster (AllowDataLoss) and the switchover and
         * RB-N-08 use SwitchoverGlobalCluster. @default none: cross-region replica clusters
         * (RB-N-01 only; a planned switchover needs the global database)
         */
        globalClusterId: z.string().min(1).optional(),
        /** What the security-breach runbook acts on in regionA (`--param` values override these). */
        breach: z
          .object({
            /** REST API stages cut to rate 0 / burst 0, as `apiId/stage`. @default [] (give `--param apiStages=`) */
            apiStages: z.array(z.string().regex(/^[^/\s]+\/[^/\s]+$/)).default([]),
            /** Secrets Manager secrets rotated. @default [] (give `--param rotateSecrets=`) */
            rotateSecrets: z.array(z.string().min(1)).default([]),
            /** Cognito user pools whose every user is signed out. @default [] (give `--param userPools=`) */
            userPools: z.array(z.string().min(1)).default([]),
            /** Rotation Lambda for secrets that have none configured. @default none (such a secret stops the run) */
            rotationLambdaArn: z.string().min(1).optional(),
          })
          .strict()
          .prefault({}),
        /**
         * What `drkit verify --provider aws` checks on S3 (seed 000: versioning + replication to
         * B, Object Lock 7–30 days for compliance buckets, a policy denying s3:DeleteObjectVersion
         * except via the break-glass role). Buckets are read through regionA's endpoint.
         */
        s3: z
          .object({
            /** Buckets checked for versioning, replication to regionB and the delete policy. @default [] */
            buckets: z.array(z.string().min(3)).default([]),
            /** Compliance buckets: also need Object Lock with a default retention. @default [] */
            objectLockBuckets: z.array(z.string().min(3)).default([]),
            /** Shortest default Object Lock retention a compliance bucket may have. @default 7 */
            objectLockMinDays: z.number().int().min(1).max(36500).default(7),
            /** The only principal the delete policy may exempt. @default none (the exemption is reported, not judged: a warn) */
            breakGlassRoleArn: z
              .string()
              .regex(/^arn:aws[a-z-]*:iam::/, 'an IAM role ARN')
              .optional(),
          })
          .strict()
          .prefault({}),
        /**
         * Secrets that must have a current copy in regionB (`drkit verify`).
         * @default [dbEndpointSecret, dbCredentialsSecret]
         */
        replicatedSecrets: z.array(z.string().min(1)).optional(),
        /** What RB-N-05 (DynamoDB table restore) swaps to the new table (`--param` values override these). */
        dynamodb: z
          .object({
            /** Global tables `drkit verify` checks: PITR in both regions, a replica in regionB. @default [] */
            tables: z.array(z.string().min(3)).default([]),
            /** Secrets Manager secret (JSON) the app reads its table name from. @default none */
            configSecret: z.string().min(1).optional(),
            /** Key of `configSecret` holding the table name. @default none (required with configSecret) */
            configKey: z.string().min(1).optional(),
            /** Lambda functions whose `envVar` holds the table name. @default [] */
            functions: z.array(z.string().min(1)).default([]),
            /** Environment variable of `functions` holding the table name. @default none (required with functions) */
            envVar: z.string().min(1).optional(),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    /** The app's payment provider and webhook endpoint, for RB-N-06 (webhook replay). */
    payments: z
      .object({
        /** Another Stripe API base (localstripe in the lab). @default Stripe's */
        apiBase: z.string().url().optional(),
        /** `localstripe` keeps the emulator's quirks out (see StripePaymentEvents). @default 'stripe' */
        flavour: z.enum(['stripe', 'localstripe']).default('stripe'),
        /** Secret holding `{ "apiKey": "sk_…" }`. @default 'drkit/payments-api-key' */
        apiKeySecret: z.string().min(1).default('drkit/payments-api-key'),
        /** The app's webhook URL RB-N-06 replays into. @default none (no webhookEndpoint port) */
        webhookUrl: z.string().url().optional(),
        /** Secret holding the endpoint's signing secret `{ "secret": "whsec_…" }`. @default 'drkit/stripe-webhook' */
        webhookSecret: z.string().min(1).default('drkit/stripe-webhook'),
        /** How long the provider keeps events. @default 30 */
        retentionDays: z.number().int().min(1).max(365).default(30),
      })
      .strict()
      .prefault({}),
    /** Incidents: notifier channels, the escalation matrix, the status page (seed 003). */
    incidents: IncidentsSchema.prefault({}),
    /** The app's email providers, for RB-N-07 (email failover). */
    mail: z
      .object({
        /**
         * The secret the app reads its active email provider from (the lab's secrets; region
         * B's Secrets Manager on aws). RB-N-07 writes the new provider's credentials there.
         * @default 'drkit/mail-provider'
         */
        activeSecret: z.string().min(1).default('drkit/mail-provider'),
        /** The providers RB-N-07 can switch to, by name, each with its credentials secret. @default {} */
        providers: z
          .record(
            z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
            z.object({ credentialsSecret: z.string().min(1) }).strict(),
          )
          .default({}),
        /** Warm-up of a newly active provider: messages per minute, one stage each. @default [60, 300, 1200] */
        warmupPerMinute: z.array(z.number().positive()).min(1).default([60, 300, 1200]),
        /** Length of each warm-up stage. @default 3600 */
        warmupStageSeconds: z.number().int().min(1).default(3600),
      })
      .strict()
      .prefault({}),
  })
  .strict();

/** The validated config, with every default filled in. */
export type DrkitConfig = z.infer<typeof ConfigSchema>;
