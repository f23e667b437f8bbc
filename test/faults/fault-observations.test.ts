/**
 * Fault observations: answers that parse but say nothing must read as "unknown", never as a fact. An empty
 * DescribeServices answer is not "no such service", a denied ListServices is said (not a silently missing "did you
 * mean"), and an empty ListTasks / DescribeTasks answer is not "no tasks".
 *
 * Real shapes: DescribeServices names a service it cannot find in `failures` with reason MISSING (ECS API reference,
 * "Failure"); ListTasks answers `{"taskArns": []}` when there are none; DescribeTasks answers each ARN in `tasks` or
 * `failures`.
 */
import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListClustersCommand,
  ListServicesCommand,
  ListTasksCommand,
} from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { toStepError } from "../../src/aws/step-error";
import { resolveTarget } from "../../src/collect/resolve-target";
import { stoppedTasksStep } from "../../src/collect/steps/03-stopped-tasks";
import { AwsCallError, TargetNotFoundError } from "../../src/errors";
import { ACCOUNT, REGION, SERVICE, sdkService, sdkStoppedTask } from "../fixtures/aws";
import { accessDenied } from "../fixtures/errors";
import { makeContext } from "../helpers/context";

const ecsMock = mockClient(ECSClient);
const ecs = new ECSClient({ region: REGION });
const clusterArn = (name: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${name}`;
const missing = (cluster: string, service: string) => ({
  services: [],
  failures: [{ arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/${cluster}/${service}`, reason: "MISSING" }],
});

beforeEach(() => ecsMock.reset());

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

describe("an empty DescribeServices answer", () => {
  it("in the named cluster says the answer was empty, not that the service does not exist", async () => {
    ecsMock.on(DescribeServicesCommand).resolves({});
    const error = await failureOf(resolveTarget(ecs, { service: SERVICE, cluster: "prod" }));
    expect(error).toBeInstanceOf(AwsCallError);
    expect(error).not.toBeInstanceOf(TargetNotFoundError);
    expect(error.message).toMatch(/ecs:DescribeServices failed: EmptyAnswerError: .*empty or malformed answer/);
    expect(error.message).toContain("cluster prod");
    // The step error a report shows reads it as a malformed response, naming the call.
    const step = toStepError(error);
    expect(step.kind).toBe("malformed_response");
    expect(step.hint).toContain("ecs:DescribeServices");
  });

  it("in one of several clusters searched makes 'not found' unknown, naming that cluster", async () => {
    ecsMock.on(ListClustersCommand).resolves({ clusterArns: [clusterArn("prod"), clusterArn("staging")] });
    ecsMock.on(DescribeServicesCommand, { cluster: clusterArn("prod") }).resolves(missing("prod", SERVICE));
    ecsMock.on(DescribeServicesCommand, { cluster: clusterArn("staging") }).resolves({ services: [], failures: [] });
    const error = await failureOf(resolveTarget(ecs, { service: SERVICE }));
    expect(error).toBeInstanceOf(AwsCallError);
    expect(error.message).toContain("cluster staging");
    expect(error.message).not.toContain("cluster prod");
  });

  it("does not stand in the way when another cluster has the service", async () => {
    ecsMock.on(ListClustersCommand).resolves({ clusterArns: [clusterArn("prod"), clusterArn("staging")] });
    ecsMock.on(DescribeServicesCommand, { cluster: clusterArn("prod") }).resolves({ services: [sdkService()] });
    ecsMock.on(DescribeServicesCommand, { cluster: clusterArn("staging") }).resolves({});
    const { target } = await resolveTarget(ecs, { service: SERVICE });
    expect(target.service).toBe(SERVICE);
  });

  it("a MISSING failure is still a plain 'no such service'", async () => {
    ecsMock.on(DescribeServicesCommand).resolves(missing("prod", SERVICE));
    ecsMock.on(ListServicesCommand).resolves({ serviceArns: [] });
    const error = await failureOf(resolveTarget(ecs, { service: SERVICE, cluster: "prod" }));
    expect(error).toBeInstanceOf(TargetNotFoundError);
    expect(error.message).toBe(`No active service "${SERVICE}" in cluster prod.`);
  });
});

describe("a denied ListServices (the 'did you mean' listing)", () => {
  it("keeps the not-found answer and says the suggestions could not be listed, with the error", async () => {
    ecsMock.on(DescribeServicesCommand).resolves(missing("prod", "paymnet-api"));
    ecsMock.on(ListServicesCommand).rejects(accessDenied("ecs:ListServices"));
    const error = await failureOf(resolveTarget(ecs, { service: "paymnet-api", cluster: "prod" }));
    expect(error).toBeInstanceOf(TargetNotFoundError);
    expect(error.message).toBe(
      'No active service "paymnet-api" in cluster prod. (Could not list the services of prod to suggest similar names: AccessDeniedException on ecs:ListServices.)',
    );
  });

  it("still suggests from the listing when it works", async () => {
    ecsMock.on(DescribeServicesCommand).resolves(missing("prod", "paymnet-api"));
    ecsMock
      .on(ListServicesCommand)
      .resolves({ serviceArns: [`arn:aws:ecs:${REGION}:${ACCOUNT}:service/prod/payment-api`] });
    const error = await failureOf(resolveTarget(ecs, { service: "paymnet-api", cluster: "prod" }));
    expect(error.message).toBe('No active service "paymnet-api" in cluster prod. Did you mean prod/payment-api?');
  });
});

describe("empty ListTasks / DescribeTasks answers", () => {
  it("an answer without taskArns is an error naming ListTasks, not 'no stopped tasks'", async () => {
    ecsMock.on(ListTasksCommand, { desiredStatus: "STOPPED" }).resolves({});
    ecsMock.on(ListTasksCommand, { desiredStatus: "RUNNING" }).resolves({ taskArns: [] });
    // The step fails (the runner records the throw as the step's error), as for any failed read.
    const error = toStepError(await failureOf(stoppedTasksStep.collect(makeContext())));
    expect(error).toMatchObject({ operation: "ecs:ListTasks", kind: "malformed_response" });
    expect(error.message).toContain("without a taskArns list");
  });

  it("an empty taskArns list is a real 'no tasks'", async () => {
    ecsMock.on(ListTasksCommand).resolves({ taskArns: [] });
    const outcome = await stoppedTasksStep.collect(makeContext());
    expect(outcome.status).toBe("collected");
  });

  it("a DescribeTasks answer with neither tasks nor failures is an error naming DescribeTasks", async () => {
    const task = sdkStoppedTask(5);
    ecsMock.on(ListTasksCommand, { desiredStatus: "STOPPED" }).resolves({ taskArns: [task.taskArn!] });
    ecsMock.on(ListTasksCommand, { desiredStatus: "RUNNING" }).resolves({ taskArns: [] });
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [], failures: [] });
    const error = toStepError(await failureOf(stoppedTasksStep.collect(makeContext())));
    expect(error).toMatchObject({ operation: "ecs:DescribeTasks", kind: "malformed_response" });
    expect(error.message).toContain("neither tasks nor failures");
  });
});
