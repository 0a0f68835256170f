import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { DrContext } from '../context.js';
import { DataKey } from '../constructs/data-key.js';
import { drNames } from '../names.js';

/** Properties of {@link KeysStack}. */
export interface KeysStackProps extends StackProps {
  /** Validated app context. */
  readonly ctx: DrContext;
  /** `primary` in region A, `secondary` in region B. */
  readonly role: 'primary' | 'secondary';
  /**
   * The primary region's key, replicated into this region when `useMultiRegionKms` is on.
   * @default - none (required for `secondary` with multi-Region keys)
   */
  readonly primaryKey?: DataKey;
}

/** The region's data key: an MRK primary in A, its replica in B (or two independent keys). */
export class KeysStack extends Stack {
  /** The data key of this region. */
  readonly dataKey: DataKey;

  constructor(scope: Construct, id: string, props: KeysStackProps) {
    super(scope, id, props);
    const { ctx } = props;
    const aliasName = drNames(ctx).dataKeyAlias;
    if (props.role === 'secondary' && ctx.useMultiRegionKms) {
      if (!props.primaryKey)
        throw new Error('KeysStack: secondary with multi-Region keys needs primaryKey');
      this.dataKey = new DataKey(this, 'DataKey', {
        aliasName,
        replicaOfKeyArn: props.primaryKey.keyArn,
      });
    } else {
      this.dataKey = new DataKey(this, 'DataKey', {
        aliasName,
        multiRegion: props.role === 'primary' && ctx.useMultiRegionKms,
      });
    }
  }
}
