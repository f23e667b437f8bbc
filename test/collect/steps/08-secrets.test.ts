import { DescribeTaskDefinitionCommand, ECSClient, type ContainerDefinition } from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { toStepError } from "../../../src/aws/step-error";
import { secretSource, secretsStep } from "../../../src/collect/steps/08-secrets";
import { SecretsDataSchema } from "../../../src/evidence/schema";
import {
  ACCOUNT,
  EXECUTION_ROLE_ARN,
  REGION,
  TASK_DEF_ARN,
  TASK_ROLE_ARN,
  sdkTaskDefinition,
} from "../../fixtures/aws";
import { accessDenied, notFound, throttled } from "../../fixtures/errors";
import { makeContext } from "../../helpers/context";

const ecs = mockClient(ECSClient);

const DB_SECRET = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:prod/payment-api/db-AbCdEf`;
const STRIPE_KEY = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:prod/payment-api/stripe-Gh1jKl:api_key::`;
const FLAG_PARAM = `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/prod/payment-api/feature-flags`;

/** The fixture's app container with its secrets and start-up files replaced. */
function container(overrides: Partial<ContainerDefinition>): ContainerDefinition {
  const base = sdkTaskDefinition().containerDefinitions![0]!;
  return { ...base, ...overrides };
}

function describes(current: ReturnType<typeof sdkTaskDefinition>, previous?: ReturnType<typeof sdkTaskDefinition>) {
  ecs
    .on(DescribeTaskDefinitionCommand, { taskDefinition: TASK_DEF_ARN(42) })
    .resolves({ taskDefinition: current, tags: [] });
  const prev = ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: TASK_DEF_ARN(41) });
  if (previous) prev.resolves({ taskDefinition: previous, tags: [] });
  else prev.rejects(notFound("ecs", "ClientException", "Unable to describe task definition."));
}

async function collect() {
  const result = await secretsStep.collect(makeContext());
  if (result.status === "skipped") throw new Error("unexpected skip");
  SecretsDataSchema.parse(result.data);
  return result;
}

describe("step 8: secrets", () => {
  beforeEach(() => ecs.reset());

  it("lists every container's secret references from the current and previous task definitions, never a value", async () => {
    describes(
      sdkTaskDefinition(42, {
        containerDefinitions: [
          container({
            secrets: [
              { name: "DB_PASSWORD", valueFrom: DB_SECRET },
              { name: "STRIPE_API_KEY", valueFrom: STRIPE_KEY },
            ],
          }),
          container({
            name: "envoy",
            image: "public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29.4.0-prod",
            secrets: [{ name: "FLAGS", valueFrom: FLAG_PARAM }],
          }),
        ],
      }),
      sdkTaskDefinition(41),
    );

    const result = await collect();

    expect(result.status).toBe("collected");
    expect(result.data.executionRoleArn).toBe(EXECUTION_ROLE_ARN);
    expect(result.data.taskRoleArn).toBe(TASK_ROLE_ARN);
    expect(result.data.secrets).toEqual([
      {
        taskDefinitionArn: TASK_DEF_ARN(42),
        containerName: "app",
        name: "DB_PASSWORD",
        valueFrom: DB_SECRET,
        source: "secretsmanager",
      },
      {
        taskDefinitionArn: TASK_DEF_ARN(42),
        containerName: "app",
        name: "STRIPE_API_KEY",
        valueFrom: STRIPE_KEY,
        source: "secretsmanager",
      },
      {
        taskDefinitionArn: TASK_DEF_ARN(42),
        containerName: "envoy",
        name: "FLAGS",
        valueFrom: FLAG_PARAM,
        source: "ssm",
      },
      {
        taskDefinitionArn: TASK_DEF_ARN(41),
        containerName: "app",
        name: "DB_PASSWORD",
        valueFrom: DB_SECRET,
        source: "secretsmanager",
      },
    ]);
    expect(result.data.repositoryCredentials).toEqual([]);
    expect(result.data.environmentFiles).toEqual([]);
    // The only AWS reads are the two task definitions the context shares with other steps.
    expect(ecs).toHaveReceivedCommandTimes(DescribeTaskDefinitionCommand, 2);
    expect(ecs.calls()).toHaveLength(2);
    expect(secretsStep.summarize(result.data)).toBe(
      "3 secrets (2 Secrets Manager, 1 SSM) read by execution role payment-api-execution",
    );
  });

  it.each([
    { case: "Secrets Manager ARN", valueFrom: DB_SECRET, source: "secretsmanager" },
    {
      case: "Secrets Manager ARN with JSON key, stage and version",
      valueFrom: `${DB_SECRET}:password:AWSCURRENT:`,
      source: "secretsmanager",
    },
    {
      case: "Secrets Manager ARN in GovCloud",
      valueFrom: `arn:aws-us-gov:secretsmanager:us-gov-west-1:${ACCOUNT}:secret:db-AbCdEf`,
      source: "secretsmanager",
    },
    { case: "SSM parameter ARN", valueFrom: FLAG_PARAM, source: "ssm" },
    {
      case: "SSM parameter ARN in China",
      valueFrom: `arn:aws-cn:ssm:cn-north-1:${ACCOUNT}:parameter/db`,
      source: "ssm",
    },
    { case: "bare SSM parameter name", valueFrom: "payment-api-db-password", source: "ssm" },
    { case: "bare SSM parameter path", valueFrom: "/prod/payment-api/db_password", source: "ssm" },
    { case: "an ARN of another service", valueFrom: `arn:aws:s3:::config-bucket/payment.env`, source: "other" },
    { case: "an empty reference", valueFrom: "", source: "other" },
  ])("classifies $case as $source", ({ valueFrom, source }) => {
    expect(secretSource(valueFrom)).toBe(source);
  });

  it("is collected with empty lists when nothing is read at start-up", async () => {
    describes(sdkTaskDefinition(42, { containerDefinitions: [container({ secrets: [] })] }));

    const result = await collect();

    expect(result.status).toBe("collected");
    expect(result.data).toEqual({
      executionRoleArn: EXECUTION_ROLE_ARN,
      taskRoleArn: TASK_ROLE_ARN,
      secrets: [],
      repositoryCredentials: [],
      environmentFiles: [],
    });
    expect(secretsStep.summarize(result.data)).toBe("no secrets or config files at start-up");
  });

  it("lists registry credentials and environment files, and leaves absent roles absent", async () => {
    const registry = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:dockerhub-creds-XyZ123`;
    const envFile = "arn:aws:s3:::payment-config-prod/payment-api.env";
    const td = sdkTaskDefinition(42, {
      containerDefinitions: [
        // Optional fields absent, as DescribeTaskDefinition omits them.
        {
          name: "app",
          image: "docker.io/acme/payment-api:1.42",
          essential: true,
          repositoryCredentials: { credentialsParameter: registry },
          environmentFiles: [{ type: "s3", value: envFile }],
        },
      ],
    });
    delete td.executionRoleArn;
    delete td.taskRoleArn;
    describes(td);

    const result = await collect();

    expect(result.data).toEqual({
      secrets: [],
      repositoryCredentials: [{ containerName: "app", credentialsParameter: registry }],
      environmentFiles: [{ containerName: "app", type: "s3", value: envFile }],
    });
    expect(secretsStep.summarize(result.data)).toBe(
      "1 registry credential(s), 1 environment file(s) but no execution role",
    );
  });

  it.each([
    {
      case: "AccessDenied",
      error: accessDenied("ecs:DescribeTaskDefinition"),
      kind: "access_denied",
      code: "AccessDeniedException",
    },
    { case: "throttling", error: throttled("ecs"), kind: "throttled", code: "ThrottlingException" },
  ])(
    "throws when the task definition cannot be read ($case), naming ecs:DescribeTaskDefinition",
    async ({ error, kind, code }) => {
      ecs.on(DescribeTaskDefinitionCommand).rejects(error);

      const thrown = await secretsStep.collect(makeContext()).catch((e: unknown) => e);

      const stepError = toStepError(thrown);
      expect(stepError).toMatchObject({ kind, code, operation: "ecs:DescribeTaskDefinition" });
      expect(stepError.hint).toContain("ecs:DescribeTaskDefinition");
    },
  );
});
