import { z } from 'zod';

/**
 * The one schema of `drkit.config.yaml`. Every key has a default that gives the local lab, so
 * an empty file (or none) is a valid lab config.
 */
export const ConfigSchema = z
  .object({
    /** Which set of adapters runbooks are bound to. @default 'lab' */
    provider: z.enum(['lab', 'aws']).default('lab'),
    /** Where drkit keeps journals, locks and lab state; never inside a recovered system. */
    stateDir: z.string().min(1).default('.drkit'),
    /** Where drill evidence goes. */
    reportsDir: z.string().min(1).default('ops/dr/drill_reports'),
    targets: z
      .object({
        /** Recovery time objective. @default 30 */
        rtoTargetMinutes: z.number().positive().max(24 * 60).default(30),
        /** Recovery point objective. @default 300 */
        rpoTargetSeconds: z.number().nonnegative().max(7 * 24 * 3600).default(300),
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
        seed: z
          .object({
            users: z.number().int().min(0).default(2000),
            ordersPerUser: z.number().int().min(0).default(5),
            paymentsPerOrder: z.number().min(0).default(1),
            messagesPerUser: z.number().int().min(0).default(3),
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
    aws: z
      .object({
        regionA: z.string().default('us-east-1'),
        regionB: z.string().default('us-west-2'),
        /** Endpoint override (the moto server in tests and the lab). */
        endpoint: z.string().url().optional(),
      })
      .strict()
      .prefault({}),
  })
  .strict();

/** The validated config, with every default filled in. */
export type DrkitConfig = z.infer<typeof ConfigSchema>;
