import { describe, expect, it } from "vitest";
import { imageNotFoundCheck } from "../../../src/diagnose/checks/image-not-found";
import { context, evidence, IMAGE, ids, imageData, imageEntry, TASK_DEF_ARN, type EvidenceOptions } from "./fixture";

const withImages = (...images: ReturnType<typeof imageEntry>[]): EvidenceOptions => ({
  steps: { image: imageData({ images }) },
});

const cases: Array<{ case: string; options: EvidenceOptions; expected: string[]; missing?: string }> = [
  {
    case: "the current tag is not in the repository",
    options: withImages(imageEntry({ ecr: { exists: false, imageTags: [] } })),
    expected: ["image-not-found"],
    missing: "tag v1.43 is not in repository payment-api",
  },
  {
    case: "the repository does not exist",
    options: withImages(
      imageEntry({
        ecr: {
          exists: false,
          imageTags: [],
          error: {
            kind: "not_found",
            code: "RepositoryNotFoundException",
            operation: "ecr:DescribeImages",
            message: "The repository with name 'payment-api' does not exist in the registry with id '123456789012'",
            hint: "check the repository name",
          },
        },
      }),
    ),
    expected: ["image-not-found"],
    missing: "repository payment-api does not exist",
  },
  { case: "the tag exists", options: withImages(imageEntry()), expected: [] },
  {
    case: "only the previous revision's image is missing (not what runs now)",
    options: withImages(
      imageEntry(),
      imageEntry({
        role: "previous",
        taskDefinitionArn: TASK_DEF_ARN(42),
        image: IMAGE("v1.42"),
        tag: "v1.42",
        ecr: { exists: false, imageTags: [] },
      }),
    ),
    expected: [],
  },
  {
    case: "not applicable: not checked (ECR in another region)",
    options: withImages(
      imageEntry({
        ecr: {
          exists: null,
          imageTags: [],
          error: { kind: "other_region", code: "OtherRegion", message: "in eu-west-1", hint: "run in eu-west-1" },
        },
      }),
    ),
    expected: [],
  },
  {
    case: "not applicable: a Docker Hub image (no ECR lookup)",
    options: withImages(
      imageEntry({
        image: "nginx:1.27",
        registry: "other",
        registryId: undefined,
        registryRegion: undefined,
        repositoryName: undefined,
        tag: "1.27",
        ecr: undefined,
      }),
    ),
    expected: [],
  },
  { case: "not applicable: no image step", options: {}, expected: [] },
];

describe("image-not-found check", () => {
  it.each(cases)("$case", ({ options, expected, missing }) => {
    const hits = imageNotFoundCheck.run(context(evidence(options)));
    expect(ids(hits)).toEqual(expected);
    if (missing) expect(hits[0]!.vars["missing"]).toBe(missing);
  });
});
