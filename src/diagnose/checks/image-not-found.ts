import { shortName } from "../template";
import type { Check, CheckHit } from "./check";
import { stepData } from "./evidence-access";

/**
 * Step 7 — an image the CURRENT task definition names is not in ECR: DescribeImages answered
 * ImageNotFoundException for the tag or digest, or the repository itself does not exist. `exists: null` means
 * the read failed or was not made (another region), which says nothing either way: no hit.
 */
export const imageNotFoundCheck: Check = {
  id: "image-not-found",
  step: "image",
  run(ctx) {
    const data = stepData(ctx.evidence, "image");
    if (!data) return [];
    const hits: CheckHit[] = [];
    for (const image of data.images) {
      if (image.role !== "current" || image.ecr?.exists !== false) continue;
      const repository = image.repositoryName ?? image.image;
      const ref = image.digest ?? image.tag ?? "latest";
      const repositoryMissing = image.ecr.error?.code === "RepositoryNotFoundException";
      const missing = repositoryMissing
        ? `repository ${repository} does not exist`
        : `${image.digest ? "digest" : "tag"} ${ref} is not in repository ${repository}`;
      hits.push({
        check: "image-not-found",
        step: "image",
        vars: {
          container: image.containerName,
          image: image.image,
          repository,
          imageRef: ref,
          missing,
          taskDefinition: shortName(image.taskDefinitionArn),
        },
        evidence: [
          {
            step: "image",
            kind: "config",
            id: `${image.taskDefinitionArn}#${image.containerName}`,
            text: `${image.containerName}: ${image.image} — ${missing}`,
          },
        ],
      });
    }
    return hits;
  },
};
