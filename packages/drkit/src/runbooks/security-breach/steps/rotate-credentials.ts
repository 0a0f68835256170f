import { DrError } from '../../../engine/errors.js';
import type { Step } from '../../../engine/step.js';
import {
  planBy,
  type RotationRecord,
  type SecurityBreachDeps,
  type SecurityBreachState,
} from '../context.js';

/**
 * Step 4 (destructive; seed: `aws secretsmanager rotate-secret --secret-id radiant-production-db`):
 * RotateSecret on each secret through its rotation Lambda (preflight refused secrets without
 * one). The Lambda ARN is always sent, the configured one when there is one: AWS keeps it
 * anyway, and moto would otherwise forget it and fake a rotation. Compare-and-set against preflight's version ids: a secret whose AWSCURRENT/AWSPENDING
 * already moved was rotated by an earlier attempt and is not rotated twice (an adapter that
 * rotates in-process finishes it: `finishRotation`). Version ids only are journaled, never a
 * value.
 */
export function rotateCredentials(deps: SecurityBreachDeps): Step<SecurityBreachState> {
  return {
    id: 'rotate-credentials',
    title: 'Rotate every listed secret (RotateSecret through its rotation Lambda)',
    destructive: true,
    retry: { attempts: 3 },
    async plan({ state: s }) {
      const lines: string[] = [];
      for (const name of s.rotateSecrets) {
        const lambdaArn =
          (await deps.rotation.describeRotation(name)).lambdaArn ?? s.rotationLambdaArn;
        lines.push(
          ...planBy(
            deps.rotation,
            deps.rotation.planRotate(name, {
              rotateImmediately: s.rotateImmediately,
              ...(lambdaArn ? { lambdaArn } : {}),
            }),
          ),
        );
      }
      return lines;
    },
    async run({ state: s, progress }) {
      const rotations: RotationRecord[] = [];
      for (const name of s.rotateSecrets) {
        const before = s.secretsBefore?.find((x) => x.name === name);
        const now = await deps.rotation.describeRotation(name);
        const moved = [...(now.stages.AWSPENDING ?? []), ...(now.stages.AWSCURRENT ?? [])].find(
          (v) => v !== before?.currentVersionId && v !== before?.pendingVersionId,
        );
        if (moved) {
          // an in-process rotation (the lab) killed midway is finished here, not restarted:
          // its new credential stays, and what it revoked is not revoked again
          const pending =
            (now.stages.AWSPENDING ?? []).includes(moved) &&
            !(now.stages.AWSCURRENT ?? []).includes(moved);
          if (pending && deps.rotation.finishRotation) {
            progress(`${name}: finishing the rotation to ${moved} an earlier attempt started`);
            await deps.rotation.finishRotation(name, { onProgress: progress });
          }
          rotations.push({
            name,
            previousVersionId: before?.currentVersionId,
            newVersionId: moved,
            at: now.lastRotatedAt ?? new Date().toISOString(),
            alreadyRotated: true,
          });
          progress(`${name}: already rotated (version ${moved})`);
          continue;
        }
        const lambdaArn = now.lambdaArn ?? s.rotationLambdaArn;
        const r = await deps.rotation.rotate(name, {
          rotateImmediately: s.rotateImmediately,
          ...(lambdaArn ? { lambdaArn } : {}),
          onProgress: progress,
        });
        rotations.push({
          name,
          previousVersionId: before?.currentVersionId,
          newVersionId: r.versionId,
          at: new Date().toISOString(),
        });
        progress(`${name}: rotation started, new version ${r.versionId}`);
      }
      return { rotations, rotatedAt: new Date().toISOString() };
    },
    async verify({ state: s }) {
      const bad: string[] = [];
      for (const r of s.rotations ?? []) {
        const now = await deps.rotation.describeRotation(r.name);
        // RotateImmediately=false only tests the Lambda and schedules the rotation: no new
        // version to find yet, only the configuration
        if (!s.rotateImmediately) {
          if (!now.lambdaArn && !now.owningService) bad.push(r.name);
          continue;
        }
        const staged = [...(now.stages.AWSPENDING ?? []), ...(now.stages.AWSCURRENT ?? [])];
        if (
          !r.newVersionId ||
          r.newVersionId === r.previousVersionId ||
          !staged.includes(r.newVersionId)
        )
          bad.push(r.name);
      }
      if (bad.length > 0) {
        throw new DrError(
          'EXTERNAL',
          `rotation did not start for ${bad.join(', ')}: ${s.rotateImmediately ? 'the new version is neither AWSPENDING nor AWSCURRENT' : 'no rotation is configured'}`,
          {
            hint: "check the rotation Lambda's logs (CloudWatch /aws/lambda/<function>)",
          },
        );
      }
    },
  };
}
