export {
  costTable,
  renderCostMarkdown,
  TIERS,
  type CostLine,
  type Tier,
  type TierCost,
} from './cost-table.js';
export {
  DEFAULT_UNIT_PRICES,
  HOURS_PER_MONTH,
  USAGE,
  type UnitPrice,
  type UnitPriceKey,
  type UnitPriceOverrides,
} from './unit-prices.js';
