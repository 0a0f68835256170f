import type { Step } from '../../../engine/step.js';
import type { S3RestoreDeps, S3RestoreState } from '../context.js';

/** Step 1 (seed: `aws s3api list-object-versions`): reads every version and delete marker. */
export function listVersions(deps: S3RestoreDeps): Step<S3RestoreState> {
  return {
    id: 'list-versions',
    title: 'List object versions and delete markers',
    retry: { attempts: 3 },
    // a manifest run looks each listed key up while planning: listing the bucket adds nothing
    when: ({ state: s }) => s.manifest === undefined,
    plan: ({ state: s }) =>
      deps.store
        .planListVersions(s.bucket, { prefix: s.prefix, pageSize: s.pageSize })
        .map((l) => `${deps.store.kind}: ${l}`),
    async run({ state: s, progress }) {
      const l = await deps.store.listVersions(s.bucket, {
        prefix: s.prefix,
        pageSize: s.pageSize,
        onPage: (p) => {
          if (p.index % 10 === 9) progress(`listed ${p.index + 1} pages`);
        },
      });
      return {
        listedVersions: l.versions.length,
        listedDeleteMarkers: l.deleteMarkers.length,
        listedPages: l.pages,
      };
    },
  };
}
