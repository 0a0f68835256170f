/**
 * Unit-price assumptions for the cost table: us-east-1-like on-demand list prices, rounded.
 * They are assumptions to be checked against the AWS Price List before any decision; pass
 * overrides to `costTable` for your region, discounts or usage.
 */
export interface UnitPrice {
  /** What is priced. */
  readonly label: string;
  /** The unit the value is per. */
  readonly unit: string;
  /** USD per unit. */
  readonly usd: number;
}

/** Hours in the billing month the table assumes. */
export const HOURS_PER_MONTH = 730;

/** Every unit price the table uses, by key. */
export const DEFAULT_UNIT_PRICES = {
  fargateVcpuHour: { label: 'Fargate vCPU (ARM64)', unit: 'vCPU-hour', usd: 0.03238 },
  fargateGbHour: { label: 'Fargate memory (ARM64)', unit: 'GB-hour', usd: 0.00356 },
  albHour: { label: 'Application Load Balancer', unit: 'ALB-hour', usd: 0.0225 },
  albLcuHour: { label: 'ALB capacity units (1 LCU average assumed)', unit: 'LCU-hour', usd: 0.008 },
  natHour: { label: 'NAT gateway', unit: 'NAT-hour', usd: 0.045 },
  natGb: { label: 'NAT data processed', unit: 'GB', usd: 0.045 },
  rdsT4gMediumHour: {
    label: 'RDS PostgreSQL db.t4g.medium, single-AZ',
    unit: 'instance-hour',
    usd: 0.065,
  },
  rdsGp3GbMonth: { label: 'RDS gp3 storage, single-AZ', unit: 'GB-month', usd: 0.115 },
  snapshotGbMonth: {
    label: 'RDS snapshot / AWS Backup copy storage',
    unit: 'GB-month',
    usd: 0.095,
  },
  s3StandardGbMonth: { label: 'S3 Standard storage', unit: 'GB-month', usd: 0.023 },
  interRegionGb: { label: 'Inter-region data transfer (replication)', unit: 'GB', usd: 0.02 },
  route53ZoneMonth: { label: 'Route 53 hosted zone', unit: 'zone-month', usd: 0.5 },
  route53HealthCheckMonth: {
    label: 'Route 53 health check (AWS endpoint)',
    unit: 'check-month',
    usd: 0.5,
  },
  cloudwatchAlarmMonth: { label: 'CloudWatch standard alarm', unit: 'alarm-month', usd: 0.1 },
  cloudwatchDashboardMonth: { label: 'CloudWatch dashboard', unit: 'dashboard-month', usd: 3 },
  secretMonth: {
    label: 'Secrets Manager secret (each replica counts)',
    unit: 'secret-month',
    usd: 0.4,
  },
  kmsKeyMonth: {
    label: 'KMS customer-managed key (each MRK replica counts)',
    unit: 'key-month',
    usd: 1,
  },
} as const satisfies Record<string, UnitPrice>;

/** Keys of {@link DEFAULT_UNIT_PRICES}. */
export type UnitPriceKey = keyof typeof DEFAULT_UNIT_PRICES;

/** Overrides: a USD value per unit, by key. */
export type UnitPriceOverrides = Partial<Record<UnitPriceKey, number>>;

/** Usage assumptions (volumes) the table multiplies prices by. */
export const USAGE = {
  /** Task size: 0.5 vCPU, 1 GB (as the CDK task definition). */
  taskVcpu: 0.5,
  taskGb: 1,
  /** Tasks serving in the primary region. */
  primaryTasks: 2,
  /** Database storage, GB. */
  dbStorageGb: 20,
  /** App-data in S3, GB (replicated in full to B). */
  s3Gb: 100,
  /** Data changed per month that crosses regions (DB WAL + S3 CRR), GB. */
  replicatedGbPerMonth: 100,
  /** Data through each NAT gateway per month, GB. */
  natGbPerMonth: 50,
  /** Alarms per region (as the observability stack). */
  alarmsPerRegion: 9,
} as const;
