import { describe, expect, it } from "vitest";
import { mutableImageTagCheck } from "../../../src/diagnose/checks/mutable-image-tag";
import {
  ACCOUNT,
  context,
  DIGEST_A,
  DIGEST_B,
  evidence,
  IMAGE,
  ids,
  imageData,
  imageEntry,
  REGION,
  runningTask,
  stoppedTasksData,
  TASK_DEF_ARN,
  type EvidenceOptions,
} from "./fixture";

const runningOn = (revision: number, digest: string) =>
  runningTask({
    taskDefinitionArn: TASK_DEF_ARN(revision),
    containers: [{ name: "app", image: IMAGE(`v1.${revision}`), imageDigest: digest, lastStatus: "RUNNING" }],
  });
const immutable = [{ registryId: ACCOUNT, repositoryName: "payment-api", imageTagMutability: "IMMUTABLE" }];
const latest = imageEntry({
  image: IMAGE("latest"),
  tag: "latest",
  ecr: { exists: true, imageDigest: DIGEST_A, imageTags: ["latest"] },
});

const cases: Array<{
  case: string;
  options: EvidenceOptions;
  expected: string[];
  severity?: string;
  vars?: Record<string, string>;
}> = [
  {
    case: "MUTABLE repository: the tag moved after the running :43 tasks started",
    options: {
      steps: {
        image: imageData(),
        "stopped-tasks": stoppedTasksData({ running: [runningOn(43, DIGEST_B), runningOn(43, DIGEST_B)] }),
      },
    },
    expected: ["mutable-image-tag.digest-drift"],
    severity: "warn",
    vars: { driftedTasks: "2", tagDigest: "sha256:4f53cda18c2b…", runningDigest: "sha256:9b2e61a0c7d8…" },
  },
  {
    case: "latest tag with drift, from the image step's digests when tasks are not in the snapshot",
    options: {
      taskDefinitions: [],
      steps: {
        image: imageData({
          images: [latest],
          repositories: [],
          runningDigests: [{ containerName: "app", imageDigest: DIGEST_B, tasks: 3 }],
        }),
      },
    },
    expected: ["mutable-image-tag.digest-drift"],
    severity: "warn",
  },
  {
    case: "latest tag, running the digest the tag names",
    options: {
      steps: {
        image: imageData({ images: [latest] }),
        "stopped-tasks": stoppedTasksData({ running: [runningOn(43, DIGEST_A)] }),
      },
    },
    expected: ["mutable-image-tag.latest"],
    severity: "info",
  },
  {
    case: "no tag at all (implicitly latest)",
    options: {
      steps: {
        image: imageData({
          images: [imageEntry({ image: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/payment-api`, tag: "latest" })],
        }),
      },
    },
    expected: ["mutable-image-tag.latest"],
    vars: { tag: "latest (no tag given)" },
  },
  {
    case: "a version tag in a MUTABLE repository without drift is not reported",
    options: {
      steps: { image: imageData(), "stopped-tasks": stoppedTasksData({ running: [runningOn(43, DIGEST_A)] }) },
    },
    expected: [],
  },
  {
    case: "old-revision tasks draining during a rollout are not drift",
    options: {
      steps: {
        image: imageData(),
        "stopped-tasks": stoppedTasksData({ running: [runningOn(43, DIGEST_A), runningOn(42, DIGEST_B)] }),
      },
    },
    expected: [],
  },
  {
    case: "IMMUTABLE repository: a differing digest is not a moved tag",
    options: {
      steps: {
        image: imageData({ repositories: immutable }),
        "stopped-tasks": stoppedTasksData({ running: [runningOn(43, DIGEST_B)] }),
      },
    },
    expected: [],
  },
  {
    case: "not applicable: image pinned by digest",
    options: {
      steps: {
        image: imageData({
          images: [imageEntry({ image: `${IMAGE("latest")}@${DIGEST_A}`, tag: "latest", digest: DIGEST_A })],
        }),
      },
    },
    expected: [],
  },
  { case: "not applicable: no image step", options: {}, expected: [] },
];

describe("mutable-image-tag check", () => {
  it.each(cases)("$case", ({ options, expected, severity, vars }) => {
    const hits = mutableImageTagCheck.run(context(evidence(options)));
    expect(ids(hits)).toEqual(expected);
    if (severity) expect(hits[0]!.severity).toBe(severity);
    if (vars) expect(hits[0]!.vars).toMatchObject(vars);
  });
});
