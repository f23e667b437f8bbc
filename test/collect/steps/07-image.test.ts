import {
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  type ImageDetail,
  type Repository,
} from "@aws-sdk/client-ecr";
import {
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  type ContainerDefinition,
  type Task,
  type TaskDefinition,
} from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { imageStep } from "../../../src/collect/steps/07-image";
import { ImageDataSchema, type ImageData } from "../../../src/evidence/schema";
import { ACCOUNT, IMAGE, REGION, TASK_DEF_ARN, at, minutesAgo, sdkTask, sdkTaskDefinition } from "../../fixtures/aws";
import { accessDenied, notFound, throttled } from "../../fixtures/errors";
import { makeContext } from "../../helpers/context";

const ecs = mockClient(ECSClient);
const ecr = mockClient(ECRClient);

beforeEach(() => {
  ecs.reset();
  ecr.reset();
});

const DIGEST_42 = "sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945";
const DIGEST_41 = "sha256:9b2a1d7e3c4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b";
const DIGEST_OLD = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

function givenTaskDefinitions(
  current: TaskDefinition = sdkTaskDefinition(42),
  previous: TaskDefinition | null = sdkTaskDefinition(41),
): void {
  ecs
    .on(DescribeTaskDefinitionCommand, { taskDefinition: TASK_DEF_ARN(42) })
    .resolves({ taskDefinition: current, tags: [] });
  if (previous)
    ecs
      .on(DescribeTaskDefinitionCommand, { taskDefinition: TASK_DEF_ARN(41) })
      .resolves({ taskDefinition: previous, tags: [] });
  else
    ecs
      .on(DescribeTaskDefinitionCommand, { taskDefinition: TASK_DEF_ARN(41) })
      .rejects(notFound("ecs", "ClientException", "Unable to describe task definition."));
}

function givenRunning(running: Task[]): void {
  ecs.on(ListTasksCommand, { desiredStatus: "STOPPED" }).resolves({ taskArns: [] });
  ecs.on(ListTasksCommand, { desiredStatus: "RUNNING" }).resolves({ taskArns: running.map((t) => t.taskArn!) });
  if (running.length > 0) ecs.on(DescribeTasksCommand).resolves({ tasks: running, failures: [] });
}

function withImage(revision: number, image: string, extra: ContainerDefinition[] = []): TaskDefinition {
  const app = sdkTaskDefinition(revision).containerDefinitions![0]!;
  return sdkTaskDefinition(revision, { containerDefinitions: [{ ...app, image }, ...extra] });
}

function imageDetail(tag: string, digest: string, overrides: Partial<ImageDetail> = {}): ImageDetail {
  return {
    registryId: ACCOUNT,
    repositoryName: "payment-api",
    imageDigest: digest,
    imageTags: [tag],
    imageSizeInBytes: 84_213_117,
    imagePushedAt: minutesAgo(60),
    imageManifestMediaType: "application/vnd.docker.distribution.manifest.v2+json",
    artifactMediaType: "application/vnd.docker.container.image.v1+json",
    lastRecordedPullTime: minutesAgo(39),
    ...overrides,
  };
}

function repository(mutability: Repository["imageTagMutability"] = "MUTABLE"): Repository {
  return {
    repositoryArn: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/payment-api`,
    registryId: ACCOUNT,
    repositoryName: "payment-api",
    repositoryUri: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/payment-api`,
    createdAt: at("2025-03-01T12:00:00Z"),
    imageTagMutability: mutability,
    imageScanningConfiguration: { scanOnPush: true },
    encryptionConfiguration: { encryptionType: "AES256" },
  };
}

const runningTask = (digest: string) =>
  sdkTask({ containers: [{ ...sdkTask().containers![0]!, name: "app", image: IMAGE("v1.42"), imageDigest: digest }] });

const imageNotFound = (tag: string) =>
  notFound(
    "ecr",
    "ImageNotFoundException",
    `The image with imageId {imageDigest:'null', imageTag:'${tag}'} does not exist within the repository with name 'payment-api' in the registry with id '${ACCOUNT}'`,
  );

function collected(result: Awaited<ReturnType<typeof imageStep.collect>>): ImageData {
  if (result.status === "skipped") throw new Error(`unexpected skip: ${result.skipReason}`);
  // Exactly the snapshot contract: parsing drops nothing and changes nothing.
  expect(ImageDataSchema.parse(result.data)).toEqual(result.data);
  return result.data;
}

describe("step 7: image", () => {
  it("checks both revisions' ECR tags, the repository's mutability and the running digests", async () => {
    givenTaskDefinitions();
    givenRunning([runningTask(DIGEST_42), runningTask(DIGEST_OLD), runningTask(DIGEST_42)]);
    ecr
      .on(DescribeImagesCommand, { imageIds: [{ imageTag: "v1.42" }] })
      .resolves({ imageDetails: [imageDetail("v1.42", DIGEST_42)] });
    ecr.on(DescribeImagesCommand, { imageIds: [{ imageTag: "v1.41" }] }).resolves({
      imageDetails: [
        imageDetail("v1.41", DIGEST_41, {
          imageTags: ["v1.41", "stable"],
          imagePushedAt: at("2026-11-20T08:30:00Z"),
        }),
      ],
    });
    ecr.on(DescribeRepositoriesCommand).resolves({ repositories: [repository("MUTABLE")] });

    const result = await imageStep.collect(makeContext());

    expect(result.status).toBe("collected");
    const data = collected(result);
    expect(data.images).toEqual([
      {
        containerName: "app",
        taskDefinitionArn: TASK_DEF_ARN(42),
        role: "current",
        image: IMAGE("v1.42"),
        registry: "ecr",
        registryId: ACCOUNT,
        registryRegion: REGION,
        repositoryName: "payment-api",
        tag: "v1.42",
        ecr: { exists: true, imageDigest: DIGEST_42, imagePushedAt: "2026-11-26T09:00:00Z", imageTags: ["v1.42"] },
      },
      {
        containerName: "app",
        taskDefinitionArn: TASK_DEF_ARN(41),
        role: "previous",
        image: IMAGE("v1.41"),
        registry: "ecr",
        registryId: ACCOUNT,
        registryRegion: REGION,
        repositoryName: "payment-api",
        tag: "v1.41",
        ecr: {
          exists: true,
          imageDigest: DIGEST_41,
          imagePushedAt: "2026-11-20T08:30:00Z",
          imageTags: ["v1.41", "stable"],
        },
      },
    ]);
    expect(data.repositories).toEqual([
      { registryId: ACCOUNT, repositoryName: "payment-api", imageTagMutability: "MUTABLE" },
    ]);
    expect(data.runningDigests).toEqual([
      { containerName: "app", imageDigest: DIGEST_42, tasks: 2 },
      { containerName: "app", imageDigest: DIGEST_OLD, tasks: 1 },
    ]);
    expect(ecr).toHaveReceivedCommandWith(DescribeImagesCommand, {
      registryId: ACCOUNT,
      repositoryName: "payment-api",
      imageIds: [{ imageTag: "v1.42" }],
    });
    expect(ecr).toHaveReceivedCommandTimes(DescribeImagesCommand, 2);
    expect(ecr).toHaveReceivedCommandTimes(DescribeRepositoriesCommand, 1);
    expect(ecr).toHaveReceivedCommandWith(DescribeRepositoriesCommand, {
      registryId: ACCOUNT,
      repositoryNames: ["payment-api"],
    });
    expect(imageStep.summarize(data)).toBe(
      "current app payment-api:v1.42 found sha256:4f53cda18c2b, previous app payment-api:v1.41 found sha256:9b2a1d7e3c4f; tags: payment-api MUTABLE; running: app sha256:4f53cda18c2b ×2, app sha256:0123456789ab ×1",
    );
  });

  it("records a tag that is not in the repository as data (exists: false), not as a failed read", async () => {
    givenTaskDefinitions(
      sdkTaskDefinition(42, {
        containerDefinitions: [{ ...sdkTaskDefinition(42).containerDefinitions![0]!, image: IMAGE("v2") }],
      }),
      null,
    );
    givenRunning([]);
    ecr.on(DescribeImagesCommand).rejects(imageNotFound("v2"));
    ecr.on(DescribeRepositoriesCommand).resolves({ repositories: [repository("IMMUTABLE")] });

    const result = await imageStep.collect(makeContext());

    expect(result.status).toBe("collected");
    const data = collected(result);
    expect(data.images[0]!.ecr).toEqual({ exists: false, imageTags: [] });
    expect(data.runningDigests).toEqual([]);
    expect(imageStep.summarize(data)).toBe(
      "current app payment-api:v2 NOT FOUND; tags: payment-api IMMUTABLE; running: no digests",
    );
  });

  it("makes one DescribeImages call for an image both revisions use", async () => {
    givenTaskDefinitions(withImage(42, IMAGE("latest")), withImage(41, IMAGE("latest")));
    givenRunning([]);
    ecr.on(DescribeImagesCommand).resolves({ imageDetails: [imageDetail("latest", DIGEST_42)] });
    ecr.on(DescribeRepositoriesCommand).resolves({ repositories: [repository()] });

    const data = collected(await imageStep.collect(makeContext()));

    expect(ecr).toHaveReceivedCommandTimes(DescribeImagesCommand, 1);
    expect(data.images.map((i) => [i.role, i.ecr?.imageDigest])).toEqual([
      ["current", DIGEST_42],
      ["previous", DIGEST_42],
    ]);
  });

  it("looks a digest-pinned image up by digest", async () => {
    const pinned = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/payment-api@${DIGEST_42}`;
    givenTaskDefinitions(withImage(42, pinned), null);
    givenRunning([]);
    ecr.on(DescribeImagesCommand).resolves({ imageDetails: [imageDetail("v1.42", DIGEST_42)] });
    ecr.on(DescribeRepositoriesCommand).resolves({ repositories: [repository()] });

    const data = collected(await imageStep.collect(makeContext()));

    expect(ecr).toHaveReceivedCommandWith(DescribeImagesCommand, { imageIds: [{ imageDigest: DIGEST_42 }] });
    expect(data.images[0]).toMatchObject({ digest: DIGEST_42, ecr: { exists: true, imageTags: ["v1.42"] } });
    expect(data.images[0]).not.toHaveProperty("tag");
  });

  it.each([
    {
      case: "a repository that does not exist",
      error: notFound(
        "ecr",
        "RepositoryNotFoundException",
        `The repository with name 'payment-api' does not exist in the registry with id '${ACCOUNT}'`,
      ),
      want: { kind: "not_found", code: "RepositoryNotFoundException", operation: "ecr:DescribeImages" },
      exists: false,
      summary: "repository NOT FOUND",
    },
    {
      case: "AccessDenied on ecr:DescribeImages",
      error: accessDenied("ecr:DescribeImages"),
      want: { kind: "access_denied", code: "AccessDeniedException", operation: "ecr:DescribeImages" },
      exists: null,
      summary: "not checked (AccessDeniedException)",
    },
    {
      case: "throttling",
      error: throttled("ecr"),
      want: { kind: "throttled", code: "ThrottlingException", operation: "ecr:DescribeImages" },
      exists: null,
      summary: "not checked (ThrottlingException)",
    },
  ])("records $case on that image and the step is partial", async ({ error, want, exists, summary }) => {
    givenTaskDefinitions(
      withImage(42, IMAGE("v1.42"), [{ name: "nginx", image: "nginx:1.27-alpine", essential: true }]),
      null,
    );
    givenRunning([runningTask(DIGEST_42)]);
    ecr.on(DescribeImagesCommand).rejects(error);
    ecr.on(DescribeRepositoriesCommand).resolves({ repositories: [repository()] });

    const result = await imageStep.collect(makeContext());

    expect(result.status).toBe("partial");
    const data = collected(result);
    const ecrResult = data.images[0]!.ecr!;
    // false only when AWS answered that the image cannot exist; null when the question went unanswered.
    expect(ecrResult.exists).toBe(exists);
    expect(ecrResult.error).toMatchObject(want);
    expect(ecrResult.error!.hint).toContain("ecr:DescribeImages");
    expect(data.images[1]).toMatchObject({ containerName: "nginx", registry: "other", tag: "1.27-alpine" });
    expect(data.runningDigests).toHaveLength(1);
    if (result.status !== "skipped") expect(result.errors).toEqual([ecrResult.error]);
    expect(imageStep.summarize(data)).toContain(`current app payment-api:v1.42 ${summary}`);
  });

  it("records AccessDenied on ecr:DescribeRepositories on the repository and keeps the image answers", async () => {
    givenTaskDefinitions(withImage(42, IMAGE("v1.42")), null);
    givenRunning([]);
    ecr.on(DescribeImagesCommand).resolves({ imageDetails: [imageDetail("v1.42", DIGEST_42)] });
    ecr.on(DescribeRepositoriesCommand).rejects(accessDenied("ecr:DescribeRepositories"));

    const result = await imageStep.collect(makeContext());

    expect(result.status).toBe("partial");
    const data = collected(result);
    expect(data.images[0]!.ecr!.exists).toBe(true);
    expect(data.repositories[0]).toMatchObject({
      repositoryName: "payment-api",
      error: { kind: "access_denied", operation: "ecr:DescribeRepositories" },
    });
    expect(data.repositories[0]).not.toHaveProperty("imageTagMutability");
  });

  it("makes no ECR calls for images in other registries", async () => {
    givenTaskDefinitions(
      withImage(42, "ghcr.io/acme/payment-api:sha-1a2b3c4", [{ name: "proxy", image: "nginx", essential: false }]),
      null,
    );
    givenRunning([]);

    const result = await imageStep.collect(makeContext());

    expect(result.status).toBe("collected");
    const data = collected(result);
    expect(data.images.map((i) => [i.containerName, i.registry, i.tag])).toEqual([
      ["app", "other", "sha-1a2b3c4"],
      ["proxy", "other", "latest"],
    ]);
    expect(data.images[0]).not.toHaveProperty("ecr");
    expect(data.images[0]).not.toHaveProperty("repositoryName");
    expect(data.repositories).toEqual([]);
    expect(ecr).toHaveReceivedCommandTimes(DescribeImagesCommand, 0);
    expect(imageStep.summarize(data)).toContain("current app ghcr.io/acme/payment-api:sha-1a2b3c4 (not ECR)");
  });

  it("records an ECR image in another region as not checked, without calling this region's ECR and without a step error", async () => {
    givenTaskDefinitions(withImage(42, `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/payment-api:v1.42`), null);
    givenRunning([]);

    const result = await imageStep.collect(makeContext());

    // Nothing failed: the read was not made, and the item says why.
    expect(result.status).toBe("collected");
    if (result.status === "skipped") throw new Error("unexpected skip");
    expect(result.errors).toEqual([]);
    const data = collected(result);
    expect(data.images[0]).toMatchObject({
      registry: "ecr",
      registryRegion: "eu-west-1",
      ecr: {
        exists: null,
        imageTags: [],
        error: { kind: "other_region", code: "OtherRegion", operation: "ecr:DescribeImages" },
      },
    });
    expect(data.images[0]!.ecr!.error!.hint).toContain("--region eu-west-1");
    expect(data.repositories[0]!.error).toMatchObject({
      kind: "other_region",
      code: "OtherRegion",
      operation: "ecr:DescribeRepositories",
    });
    expect(ecr).toHaveReceivedCommandTimes(DescribeImagesCommand, 0);
    expect(ecr).toHaveReceivedCommandTimes(DescribeRepositoriesCommand, 0);
  });

  it("keeps the ECR answers when the running tasks cannot be listed", async () => {
    givenTaskDefinitions(withImage(42, IMAGE("v1.42")), null);
    ecs.on(ListTasksCommand).rejects(accessDenied("ecs:ListTasks"));
    ecr.on(DescribeImagesCommand).resolves({ imageDetails: [imageDetail("v1.42", DIGEST_42)] });
    ecr.on(DescribeRepositoriesCommand).resolves({ repositories: [repository()] });

    const result = await imageStep.collect(makeContext());

    expect(result.status).toBe("partial");
    if (result.status === "skipped") throw new Error("unexpected skip");
    expect(result.data.runningDigests).toEqual([]);
    expect(result.data.images[0]!.ecr!.exists).toBe(true);
    expect(result.errors[0]).toMatchObject({ kind: "access_denied", operation: "ecs:ListTasks" });
    expect(result.errors[0]!.hint).toContain("ecs:ListTasks");
  });

  it("handles absent optional fields: an untagged image, a repository without mutability, containers without digests", async () => {
    givenTaskDefinitions(withImage(42, `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/payment-api@${DIGEST_42}`), null);
    const pending = sdkTask({
      lastStatus: "PENDING",
      containers: [{ name: "app", image: IMAGE("v1.42"), lastStatus: "PENDING" }],
    });
    givenRunning([pending]);
    ecr
      .on(DescribeImagesCommand)
      .resolves({ imageDetails: [{ registryId: ACCOUNT, repositoryName: "payment-api", imageDigest: DIGEST_42 }] });
    ecr
      .on(DescribeRepositoriesCommand)
      .resolves({ repositories: [{ repositoryName: "payment-api", registryId: ACCOUNT }] });

    const data = collected(await imageStep.collect(makeContext()));

    expect(data.images[0]!.ecr).toEqual({ exists: true, imageDigest: DIGEST_42, imageTags: [] });
    expect(data.repositories).toEqual([{ registryId: ACCOUNT, repositoryName: "payment-api" }]);
    expect(data.runningDigests).toEqual([]);
    expect(imageStep.summarize(data)).toBe(
      "current app payment-api@sha256:4f53cda18c2b found sha256:4f53cda18c2b; running: no digests",
    );
  });

  it("fails the step when the task definition cannot be read (the runner records it)", async () => {
    ecs.on(DescribeTaskDefinitionCommand).rejects(throttled("ecs"));
    givenRunning([]);

    await expect(imageStep.collect(makeContext())).rejects.toMatchObject({ operation: "ecs:DescribeTaskDefinition" });
  });
});
