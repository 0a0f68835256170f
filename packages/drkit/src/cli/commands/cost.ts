import { Command, Option } from 'commander';
import { UsageError } from '../../engine/errors.js';
import {
  costTable,
  renderCostMarkdown,
  TIERS,
  DEFAULT_UNIT_PRICES,
  type Tier,
  type UnitPriceKey,
  type UnitPriceOverrides,
} from '../../cost/index.js';
import { cliContext } from '../context.js';

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

/** `drkit cost`: monthly cost of the DR tiers from listed unit-price assumptions, with reachable RTO/RPO. */
export function costCommand(): Command {
  return new Command('cost')
    .description(
      'monthly cost of pilot-light / warm-standby / active-active from unit-price assumptions, with the RTO/RPO each reaches',
    )
    .addOption(new Option('--tier <tier>', 'one tier only').choices([...TIERS]))
    .option(
      '--price <key=usd>',
      `override a unit price (keys: ${Object.keys(DEFAULT_UNIT_PRICES).join(', ')})`,
      collect,
      [],
    )
    .action((o: { tier?: Tier; price: string[] }, c: Command) => {
      const { out } = cliContext(c);
      const overrides: UnitPriceOverrides = {};
      for (const p of o.price) {
        const [k, v] = p.split('=');
        if (!k || !(k in DEFAULT_UNIT_PRICES)) {
          throw new UsageError(`--price: unknown unit price '${k ?? p}'`, {
            hint: `known: ${Object.keys(DEFAULT_UNIT_PRICES).join(', ')}`,
          });
        }
        const n = Number(v);
        if (v === undefined || !Number.isFinite(n) || n < 0)
          throw new UsageError(`--price ${k}: '${v}' is not a non-negative number of USD`);
        overrides[k as UnitPriceKey] = n;
      }
      const tables = costTable(o.tier, overrides);
      out.result(tables);
      out.info(renderCostMarkdown(tables, overrides));
    });
}
