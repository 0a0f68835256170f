import {
  DEFAULT_UNIT_PRICES,
  HOURS_PER_MONTH,
  USAGE,
  type UnitPriceKey,
  type UnitPriceOverrides,
} from './unit-prices.js';

/** The DR tiers the seeds compare. */
export type Tier = 'pilot-light' | 'warm-standby' | 'active-active';

/** Every tier, cheapest first. */
export const TIERS: readonly Tier[] = ['pilot-light', 'warm-standby', 'active-active'];

/** One priced line of a tier's table. */
export interface CostLine {
  /** What runs. */
  readonly component: string;
  /** `A` (primary), `B` (recovery region) or `global`. */
  readonly region: 'A' | 'B' | 'global';
  /** Which unit price the line uses. */
  readonly priceKey: UnitPriceKey;
  /** Units per month. */
  readonly quantity: number;
  /** USD per unit. */
  readonly unitUsd: number;
  /** quantity × unitUsd, USD per month (rounded to cents). */
  readonly monthlyUsd: number;
}

/** A tier's monthly cost and the recovery objectives it can reach. */
export interface TierCost {
  readonly tier: Tier;
  readonly lines: readonly CostLine[];
  /** Sum of the lines, USD per month. */
  readonly totalMonthlyUsd: number;
  /** Of which in region B (the price of being able to recover). */
  readonly recoveryRegionMonthlyUsd: number;
  /** Reachable RTO, as the seeds state it. */
  readonly rto: string;
  /** Reachable RPO, as the seeds state it. */
  readonly rpo: string;
  /** What region B runs in this tier. */
  readonly description: string;
}

interface RegionShape {
  readonly tasks: number;
  readonly alb: boolean;
  readonly nat: boolean;
  readonly dbInstances: number;
  readonly dbStorageCopies: number;
}

const SHAPES: Record<Tier, { b: RegionShape; rto: string; rpo: string; description: string }> = {
  'pilot-light': {
    b: { tasks: 0, alb: false, nat: false, dbInstances: 1, dbStorageCopies: 1 },
    rto: '~1–1.5 h (compute, ALB and NAT are created at failover)',
    rpo: 'minutes (replica lag / last copied backup)',
    description: 'B keeps the data live (read replica, S3 CRR, keys, secrets); no compute runs.',
  },
  'warm-standby': {
    b: { tasks: 1, alb: true, nat: true, dbInstances: 1, dbStorageCopies: 1 },
    rto: '< 15–30 min (promote replica, scale ECS, flip Route 53)',
    rpo: '< 1 min with replication (replica lag)',
    description:
      'B runs a scaled-down copy: 1 task behind its ALB and a read replica (this CDK app).',
  },
  'active-active': {
    b: { tasks: USAGE.primaryTasks, alb: true, nat: true, dbInstances: 2, dbStorageCopies: 2 },
    rto: 'near zero (traffic already served from both regions)',
    rpo: 'near zero (seconds of asynchronous global replication)',
    description:
      'B serves traffic at full size with a Multi-AZ-class database (global database / global tables).',
  },
};

/** The primary region's shape, identical for every tier. */
const PRIMARY: RegionShape = {
  tasks: USAGE.primaryTasks,
  alb: true,
  nat: true,
  dbInstances: 2,
  dbStorageCopies: 2,
};

function price(key: UnitPriceKey, overrides: UnitPriceOverrides): number {
  return overrides[key] ?? DEFAULT_UNIT_PRICES[key].usd;
}

function regionLines(region: 'A' | 'B', s: RegionShape, o: UnitPriceOverrides): CostLine[] {
  const line = (component: string, priceKey: UnitPriceKey, quantity: number): CostLine => {
    const unitUsd = price(priceKey, o);
    return {
      component,
      region,
      priceKey,
      quantity,
      unitUsd,
      monthlyUsd: Math.round(quantity * unitUsd * 100) / 100,
    };
  };
  const h = HOURS_PER_MONTH;
  const lines: CostLine[] = [];
  if (s.tasks > 0) {
    lines.push(
      line(`Fargate ${s.tasks} task(s) vCPU`, 'fargateVcpuHour', s.tasks * USAGE.taskVcpu * h),
    );
    lines.push(
      line(`Fargate ${s.tasks} task(s) memory`, 'fargateGbHour', s.tasks * USAGE.taskGb * h),
    );
  }
  if (s.alb) {
    lines.push(line('ALB', 'albHour', h));
    lines.push(line('ALB LCUs', 'albLcuHour', h));
  }
  if (s.nat) {
    lines.push(line('NAT gateway', 'natHour', h));
    lines.push(line('NAT data', 'natGb', USAGE.natGbPerMonth));
  }
  // Multi-AZ is priced as two instances and two copies of storage.
  lines.push(
    line(
      `RDS PostgreSQL (${s.dbInstances === 2 ? 'Multi-AZ' : 'single-AZ'})`,
      'rdsT4gMediumHour',
      s.dbInstances * h,
    ),
  );
  lines.push(line('RDS storage', 'rdsGp3GbMonth', s.dbStorageCopies * USAGE.dbStorageGb));
  lines.push(line('S3 app-data', 's3StandardGbMonth', USAGE.s3Gb));
  lines.push(line('KMS data key', 'kmsKeyMonth', 1));
  lines.push(line('DB secrets', 'secretMonth', 2));
  lines.push(line('CloudWatch alarms', 'cloudwatchAlarmMonth', USAGE.alarmsPerRegion));
  lines.push(line('CloudWatch dashboard', 'cloudwatchDashboardMonth', 1));
  if (region === 'B') {
    lines.push(line('Replication transfer A→B', 'interRegionGb', USAGE.replicatedGbPerMonth));
    lines.push(line('Backup copies in B', 'snapshotGbMonth', USAGE.dbStorageGb));
  }
  return lines;
}

/**
 * Monthly cost of each DR tier (or of `tier` only) from the unit-price assumptions in
 * `unit-prices.ts`, with the RTO/RPO each can reach. Pure: same input, same table.
 */
export function costTable(tier?: Tier, overrides: UnitPriceOverrides = {}): TierCost[] {
  for (const [k, v] of Object.entries(overrides)) {
    if (!(k in DEFAULT_UNIT_PRICES)) throw new Error(`unknown unit price "${k}"`);
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
      throw new Error(`unit price "${k}" must be a non-negative number`);
  }
  if (tier !== undefined && !TIERS.includes(tier)) {
    throw new Error(`unknown tier "${String(tier)}" (expected ${TIERS.join(', ')})`);
  }
  return (tier ? [tier] : TIERS).map((t) => {
    const shape = SHAPES[t];
    const global: CostLine[] = [
      {
        component: 'Route 53 hosted zone',
        region: 'global',
        priceKey: 'route53ZoneMonth',
        quantity: 1,
        unitUsd: price('route53ZoneMonth', overrides),
        monthlyUsd: price('route53ZoneMonth', overrides),
      },
      {
        component: 'Route 53 health checks',
        region: 'global',
        priceKey: 'route53HealthCheckMonth',
        quantity: 2,
        unitUsd: price('route53HealthCheckMonth', overrides),
        monthlyUsd: Math.round(2 * price('route53HealthCheckMonth', overrides) * 100) / 100,
      },
    ];
    const a = regionLines('A', PRIMARY, overrides);
    const b = regionLines('B', shape.b, overrides);
    const sum = (ls: CostLine[]) =>
      Math.round(ls.reduce((acc, l) => acc + l.monthlyUsd, 0) * 100) / 100;
    return {
      tier: t,
      lines: [...a, ...b, ...global],
      totalMonthlyUsd: sum([...a, ...b, ...global]),
      recoveryRegionMonthlyUsd: sum(b),
      rto: shape.rto,
      rpo: shape.rpo,
      description: shape.description,
    };
  });
}

const usd = (n: number) => `$${n.toFixed(2)}`;

/**
 * Markdown: a summary table of the tiers (total, region-B share, RTO, RPO), each tier's lines,
 * and the unit-price assumptions used (with overrides applied), flagged as assumptions.
 */
export function renderCostMarkdown(
  tables: readonly TierCost[],
  overrides: UnitPriceOverrides = {},
): string {
  const out: string[] = ['# DR tier monthly cost (estimate)', ''];
  out.push('| tier | total / month | of which region B | RTO | RPO |', '|---|---:|---:|---|---|');
  for (const t of tables)
    out.push(
      `| ${t.tier} | ${usd(t.totalMonthlyUsd)} | ${usd(t.recoveryRegionMonthlyUsd)} | ${t.rto} | ${t.rpo} |`,
    );
  for (const t of tables) {
    out.push(
      '',
      `## ${t.tier}`,
      '',
      t.description,
      '',
      '| region | component | quantity | unit price | monthly |',
      '|---|---|---:|---:|---:|',
    );
    for (const l of t.lines) {
      out.push(
        `| ${l.region} | ${l.component} | ${Number(l.quantity.toFixed(2))} ${DEFAULT_UNIT_PRICES[l.priceKey].unit} | ${usd(l.unitUsd)} | ${usd(l.monthlyUsd)} |`,
      );
    }
  }
  out.push(
    '',
    '## Unit-price assumptions',
    '',
    'us-east-1-like on-demand list prices, rounded; assumptions to check against the AWS Price List for your region and discounts.',
    '',
    '| item | unit | USD |',
    '|---|---|---:|',
  );
  for (const [k, p] of Object.entries(DEFAULT_UNIT_PRICES) as [
    UnitPriceKey,
    (typeof DEFAULT_UNIT_PRICES)[UnitPriceKey],
  ][]) {
    const v = overrides[k] ?? p.usd;
    out.push(`| ${p.label}${overrides[k] !== undefined ? ' (override)' : ''} | ${p.unit} | ${v} |`);
  }
  out.push(
    '',
    `Usage assumed: ${HOURS_PER_MONTH} h/month, tasks of ${USAGE.taskVcpu} vCPU / ${USAGE.taskGb} GB, ${USAGE.dbStorageGb} GB database, ${USAGE.s3Gb} GB in S3, ${USAGE.replicatedGbPerMonth} GB/month replicated across regions, ${USAGE.natGbPerMonth} GB/month through each NAT gateway.`,
    '',
  );
  return out.join('\n');
}
