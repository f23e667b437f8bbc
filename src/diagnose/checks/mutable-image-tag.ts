import type { Evidence, ImageData } from "../../evidence/schema";
import { shortName } from "../template";
import type { Check, CheckHit } from "./check";
import { listOf, shortDigest, stepData } from "./evidence-access";

type Image = ImageData["images"][number];

/**
 * Step 7 — the current task definition runs a tag that can move:
 * - digest drift (warn): in a MUTABLE repository (or under `latest`), the running tasks of the current revision
 *   report a digest other than the one the tag points at now — the tag was pushed again after the tasks started,
 *   so tasks run different code than the tag names, and the next task started may run the new code;
 * - `latest` or no tag at all (info): which code a new task gets depends on when it starts.
 * Images pinned by digest never hit. An IMMUTABLE repository cannot drift (a differing digest there is a
 * multi-arch index vs platform manifest, not a moved tag).
 */
export const mutableImageTagCheck: Check = {
  id: "mutable-image-tag",
  step: "image",
  run(ctx) {
    const data = stepData(ctx.evidence, "image");
    if (!data) return [];
    const hits: CheckHit[] = [];
    for (const image of data.images) {
      if (image.role !== "current" || image.digest) continue;
      const implicit = !hasExplicitTag(image.image);
      const tag = image.tag ?? "latest";
      const latest = implicit || tag === "latest";
      const mutability = repositoryMutability(data, image);
      const ref = {
        step: "image" as const,
        kind: "config" as const,
        id: `${image.taskDefinitionArn}#${image.containerName}`,
      };
      const vars = {
        container: image.containerName,
        image: image.image,
        tag: implicit ? "latest (no tag given)" : tag,
        taskDefinition: shortName(image.taskDefinitionArn),
        mutability: mutability ?? "unknown",
      };

      const tagDigest = image.ecr?.exists === true ? image.ecr.imageDigest : undefined;
      const canDrift = !mutability?.startsWith("IMMUTABLE") && (mutability?.startsWith("MUTABLE") || latest);
      if (tagDigest && canDrift) {
        const running = runningDigests(ctx.evidence, data, image);
        const drifted = running.filter((r) => r.imageDigest !== tagDigest);
        if (drifted.length > 0) {
          const tasks = drifted.reduce((sum, r) => sum + r.tasks, 0);
          hits.push({
            check: "mutable-image-tag.digest-drift",
            step: "image",
            severity: "warn",
            vars: {
              ...vars,
              tagDigest: shortDigest(tagDigest),
              runningDigest: listOf(drifted.map((r) => shortDigest(r.imageDigest))),
              driftedTasks: String(tasks),
              pushedAt: image.ecr?.imagePushedAt ?? "an unknown time",
            },
            evidence: [
              {
                ...ref,
                text: `${image.image} now points at ${shortDigest(tagDigest)}${image.ecr?.imagePushedAt ? ` (pushed ${image.ecr.imagePushedAt})` : ""}`,
              },
              ...drifted.map((r) => ({
                ...ref,
                id: `${ref.id}@${r.imageDigest}`,
                text: `${r.tasks} running task(s) of ${vars.taskDefinition} run ${shortDigest(r.imageDigest)}`,
              })),
            ],
          });
          continue;
        }
      }
      if (latest) {
        hits.push({
          check: "mutable-image-tag.latest",
          step: "image",
          severity: "info",
          vars,
          evidence: [
            { ...ref, text: `${image.containerName} runs ${image.image}${implicit ? " (no tag: latest)" : ""}` },
          ],
        });
      }
    }
    return hits;
  },
};

/** `repo:tag` or `host:5000/repo:tag` has a tag; `host:5000/repo` and `repo` do not. */
function hasExplicitTag(image: string): boolean {
  const name = image.split("@")[0] ?? image;
  const last = name.slice(name.lastIndexOf("/") + 1);
  return last.includes(":");
}

function repositoryMutability(data: ImageData, image: Image): string | undefined {
  const repo = data.repositories.find(
    (r) =>
      r.repositoryName === image.repositoryName &&
      (r.registryId === undefined || image.registryId === undefined || r.registryId === image.registryId),
  );
  return repo?.imageTagMutability?.toUpperCase();
}

/**
 * Digests the current revision's running tasks report for this container. Running tasks carry their task
 * definition, so tasks of an older revision still draining during a rollout are left out; without them, the
 * image step's per-container counts are used only when no other revision names a different image.
 */
function runningDigests(
  evidence: Evidence,
  data: ImageData,
  image: Image,
): Array<{ imageDigest: string; tasks: number }> {
  const tasks = stepData(evidence, "stopped-tasks")?.running;
  if (tasks && tasks.length > 0) {
    const counts = new Map<string, number>();
    for (const task of tasks) {
      if (task.taskDefinitionArn !== image.taskDefinitionArn) continue;
      const digest = task.containers.find((c) => c.name === image.containerName)?.imageDigest;
      if (digest) counts.set(digest, (counts.get(digest) ?? 0) + 1);
    }
    return [...counts].map(([imageDigest, n]) => ({ imageDigest, tasks: n }));
  }
  const ambiguous = data.images.some(
    (i) => i.containerName === image.containerName && i.role !== image.role && i.image !== image.image,
  );
  if (ambiguous) return [];
  return data.runningDigests
    .filter((r) => r.containerName === image.containerName)
    .map((r) => ({ imageDigest: r.imageDigest, tasks: r.tasks }));
}
