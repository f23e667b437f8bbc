import type { ImageData } from "../evidence/schema";
import { shortDigest } from "../util/format";
import type { StepEntry } from "./entry";

type ImageEntry = ImageData["images"][number];

export const imageEntry: StepEntry<"image"> = {
  id: "image",
  number: 7,
  title: "Image",
  summarize(data) {
    const images = data.images.map((i) => `${i.role} ${i.containerName} ${shortImage(i)} ${ecrState(i)}`);
    const mutability = data.repositories
      .filter((r) => r.imageTagMutability)
      .map((r) => `${r.repositoryName} ${r.imageTagMutability}`);
    const running = data.runningDigests.map((d) => `${d.containerName} ${shortDigest(d.imageDigest)} ×${d.tasks}`);
    return [
      images.join(", ") || "no images",
      ...(mutability.length > 0 ? [`tags: ${mutability.join(", ")}`] : []),
      `running: ${running.join(", ") || "no digests"}`,
    ].join("; ");
  },
};

function shortImage(i: ImageEntry): string {
  const withoutDigest = i.image.split("@")[0] ?? i.image;
  const name = i.repositoryName ?? withoutDigest.replace(/:[^:/]*$/, "");
  return i.digest ? `${name}@${shortDigest(i.digest)}` : `${name}:${i.tag ?? "latest"}`;
}

function ecrState(i: ImageEntry): string {
  if (!i.ecr) return "(not ECR)";
  if (i.ecr.error?.code === "RepositoryNotFoundException") return "repository NOT FOUND";
  if (i.ecr.error) return `not checked (${i.ecr.error.code})`;
  if (i.ecr.exists === null) return "not checked";
  return i.ecr.exists ? `found${i.ecr.imageDigest ? ` ${shortDigest(i.ecr.imageDigest)}` : ""}` : "NOT FOUND";
}
