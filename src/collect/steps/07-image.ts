import { imageEntry } from "../../steps/07-image";
import {
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  type ECRClient,
  type ImageIdentifier,
} from "@aws-sdk/client-ecr";
import { awsCall } from "../../aws/aws-call";
import { awsErrorName, dedupeErrors, otherRegionError, toStepError } from "../../aws/step-error";
import { StepErrorKind, type ImageData, type StepError, type Task } from "../../evidence/schema";
import { compact, isoOrUndefined } from "../convert";
import { parseImageRef, type ImageRef } from "../image-ref";
import { outcome, type Step } from "../step";

type ImageEntry = ImageData["images"][number];
type EcrResult = NonNullable<ImageEntry["ecr"]>;
type RepositoryEntry = ImageData["repositories"][number];

/**
 * Step 7 — the images the current and previous task definitions run: whether each ECR tag or digest exists
 * (ecr:DescribeImages; ImageNotFoundException is an answer, not a failure), each repository's tag mutability
 * (ecr:DescribeRepositories), and the digests the running tasks actually report, to show digest drift under a
 * mutable tag. Images in other registries, or in ECR in another region than the diagnosis reads, are recorded
 * without ECR calls; the latter carry an `other_region` error on the item, which is not a step error.
 */
export const imageStep: Step<"image"> = {
  ...imageEntry,
  async collect(ctx) {
    const definitions = await ctx.taskDefinitions();
    const here = ctx.target.region;
    const ecr = ctx.clients.ecr;
    const errors: StepError[] = [];

    const runningPromise = ctx.tasks().then(
      (t) => {
        // A failed DescribeTasks batch hides some running tasks' digests.
        errors.push(...t.errors);
        return t.running;
      },
      (error: unknown) => {
        errors.push(toStepError(error, "ecs:DescribeTasks"));
        return [] as readonly Task[];
      },
    );

    // Identical DescribeImages requests (same image in both revisions, sidecars sharing an image) are made once.
    const imageLookups = new Map<string, Promise<EcrResult>>();
    const repoLookups = new Map<string, Promise<RepositoryEntry>>();
    const pending: Array<Promise<ImageEntry>> = [];

    for (const td of [definitions.current, definitions.previous]) {
      if (!td) continue;
      for (const container of td.containers) {
        const ref = parseImageRef(container.image);
        const base = compact({
          containerName: container.name,
          taskDefinitionArn: td.taskDefinitionArn,
          role: td.role,
          image: container.image,
          registry: ref.registry,
          registryId: ref.registryId,
          registryRegion: ref.region,
          repositoryName: ref.registry === "ecr" ? ref.repositoryName : undefined,
          tag: ref.tag,
          digest: ref.digest,
        });
        if (ref.registry !== "ecr") {
          pending.push(Promise.resolve(base));
          continue;
        }
        const repoKey = `${ref.registryId}/${ref.repositoryName}@${ref.region}`;
        if (!repoLookups.has(repoKey)) repoLookups.set(repoKey, describeRepository(ecr, ref, here));
        const imageKey = `${repoKey}#${ref.digest ?? `tag:${ref.tag}`}`;
        let lookup = imageLookups.get(imageKey);
        if (!lookup) {
          lookup = describeImage(ecr, ref, here);
          imageLookups.set(imageKey, lookup);
        }
        pending.push(lookup.then((result) => ({ ...base, ecr: result })));
      }
    }

    const [images, repositories, running] = await Promise.all([
      Promise.all(pending),
      Promise.all(repoLookups.values()),
      runningPromise,
    ]);
    const data: ImageData = { images, repositories, runningDigests: countDigests(running) };
    for (const e of [...images.map((i) => i.ecr?.error), ...repositories.map((r) => r.error)]) {
      if (e && e.kind !== StepErrorKind.OtherRegion) errors.push(e);
    }
    return outcome(data, dedupeErrors(errors));
  },
};

async function describeImage(ecr: ECRClient, ref: ImageRef, here: string): Promise<EcrResult> {
  if (ref.region !== here)
    return { exists: null, imageTags: [], error: otherRegionEcr("ecr:DescribeImages", ref, here) };
  const imageId: ImageIdentifier = ref.digest ? { imageDigest: ref.digest } : { imageTag: ref.tag ?? "latest" };
  try {
    const out = await awsCall("ecr:DescribeImages", () =>
      ecr.send(
        new DescribeImagesCommand({
          registryId: ref.registryId,
          repositoryName: ref.repositoryName,
          imageIds: [imageId],
        }),
      ),
    );
    const detail = out.imageDetails?.[0];
    if (!detail) return { exists: false, imageTags: [] };
    return compact({
      exists: true,
      imageDigest: detail.imageDigest,
      imagePushedAt: isoOrUndefined(detail.imagePushedAt),
      imageTags: detail.imageTags ?? [],
    });
  } catch (error) {
    // A tag or digest that is not in the repository: the answer to the question, not a failed read.
    if (awsErrorName(error) === "ImageNotFoundException") return { exists: false, imageTags: [] };
    // RepositoryNotFoundException is an answer too (the image cannot exist); anything else leaves it unknown.
    const exists = awsErrorName(error) === "RepositoryNotFoundException" ? false : null;
    return { exists, imageTags: [], error: toStepError(error, "ecr:DescribeImages") };
  }
}

async function describeRepository(ecr: ECRClient, ref: ImageRef, here: string): Promise<RepositoryEntry> {
  const base = compact({ registryId: ref.registryId, repositoryName: ref.repositoryName });
  if (ref.region !== here) return { ...base, error: otherRegionEcr("ecr:DescribeRepositories", ref, here) };
  try {
    const out = await awsCall("ecr:DescribeRepositories", () =>
      ecr.send(new DescribeRepositoriesCommand({ registryId: ref.registryId, repositoryNames: [ref.repositoryName] })),
    );
    return compact({ ...base, imageTagMutability: out.repositories?.[0]?.imageTagMutability });
  } catch (error) {
    return { ...base, error: toStepError(error, "ecr:DescribeRepositories") };
  }
}

/** Digests the running tasks report, counted per container; the most common first. */
function countDigests(running: readonly Task[]): ImageData["runningDigests"] {
  const counts = new Map<string, { containerName: string; imageDigest: string; tasks: number }>();
  for (const task of running) {
    for (const c of task.containers) {
      if (!c.imageDigest) continue;
      const key = `${c.name}\u0000${c.imageDigest}`;
      const entry = counts.get(key) ?? { containerName: c.name, imageDigest: c.imageDigest, tasks: 0 };
      entry.tasks += 1;
      counts.set(key, entry);
    }
  }
  return [...counts.values()].sort((a, b) => a.containerName.localeCompare(b.containerName) || b.tasks - a.tasks);
}

/** A read not made: the ECR client reads the diagnosis's region only. */
function otherRegionEcr(operation: string, ref: ImageRef, here: string): StepError {
  const region = ref.region ?? "another region";
  return otherRegionError(
    operation,
    `repository ${ref.repositoryName} in ECR`,
    region,
    here,
    `not checked: the image is in ${region} — run aws ecr describe-images --region ${region} --repository-name ${ref.repositoryName} to check it`,
  );
}
