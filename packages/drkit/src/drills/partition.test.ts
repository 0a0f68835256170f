import { describe, expect, it } from 'vitest';
import type { HaproxyLink } from '../adapters/haproxy/index.js';
import type { WorkloadRecord } from '../lab/workload.js';
import { lsnDiff, partitionFacts, partitionWrites, type Partition } from './partition.js';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const ack = (seq: number, s: number): WorkloadRecord => ({
  type: 'ack',
  seq,
  ref: `r${seq}`,
  id: String(seq),
  at: at(s),
  cluster: 'region-a',
});
const fail = (seq: number, s: number): WorkloadRecord => ({
  type: 'fail',
  seq,
  ref: `r${seq}`,
  at: at(s),
  cluster: '?',
  error: 'timeout',
});

describe('lsnDiff', () => {
  it('counts bytes across the high word', () => {
    expect(lsnDiff('0/30106B8', '0/4000000')).toBe(0x4000000 - 0x30106b8);
    expect(lsnDiff('0/FFFFFFFF', '1/0')).toBe(1);
    expect(lsnDiff('0/10', '0/10')).toBe(0);
  });
});

describe('partitionWrites', () => {
  it('GIVEN acks and failures around the window WHEN counted THEN only [from, to) counts', () => {
    const recs = [ack(1, 1), ack(2, 2), fail(3, 3), ack(4, 4), ack(5, 5)];
    expect(partitionWrites(recs, new Date(at(2)), new Date(at(5)))).toEqual({
      acknowledged: 2,
      failed: 1,
    });
  });
});

describe('partitionFacts', () => {
  const link = { name: 'link-a-b' } as HaproxyLink;
  const part: Partition = {
    link,
    cutAt: new Date(at(10)),
    atCut: {
      at: at(10),
      primaryLsn: '0/3000100',
      replayLsn: '0/3000100',
      receiver: 'none',
      behindBytes: 0,
    },
    atFault: {
      at: at(15),
      primaryLsn: '0/4005898',
      replayLsn: '0/4000000',
      receiver: 'none',
      behindBytes: 22680,
    },
  };
  const recs = [ack(1, 9), ack(2, 11), ack(3, 12), ack(4, 14), ack(5, 16)];

  it('GIVEN writes lost only inside the partition THEN it says how many of its acks were lost and that the archive moved B on', () => {
    const f = partitionFacts(part, 5, recs, new Date(at(15)), [{ at: at(12) }, { at: at(14) }]);
    expect(f.writesAcknowledgedDuringPartition).toBe(3);
    expect(f.lostOfPartitionAcks).toBe(2);
    expect(f.lostBeforePartition).toBe(0);
    expect(f.partitionAcksOnBAnyway).toBe(1);
    expect(f.partitionToFaultSeconds).toBe(5);
    expect(f.standbyBehindAtFaultBytes).toBe(22680);
    expect(f.standbyReplayDuringPartition).toBe(
      '0/3000100 → 0/4000000 (from the WAL archive: restore_command, the WAL receiver was cut off)',
    );
  });

  it('GIVEN no fault position (drill failed before T0) THEN the figures that need it are null', () => {
    const f = partitionFacts(
      { link, cutAt: part.cutAt, atCut: part.atCut },
      5,
      recs,
      new Date(at(15)),
      [],
    );
    expect(f.standbyAtFault).toBeNull();
    expect(f.standbyReplayDuringPartition).toBeNull();
    expect(f.partitionHealedAt).toBeNull();
  });
});
