import { DescribeTaskDefinitionCommand, type ECSClient, type Service as SdkService } from "@aws-sdk/client-ecs";
import { awsCall } from "../../aws/aws-call";
import { previousRevision } from "../../aws/arn";
import { awsErrorMessage, awsErrorName, toStepError } from "../../aws/step-error";
import type { StepError, TaskDefinition } from "../../evidence/schema";
import { toTaskDefinition } from "../convert";
import type { TaskDefinitions } from "../step";

/**
 * The service's current task definition and the one before it (the rollback candidate): the task definition of
 * another deployment still listed on the service, else the previous revision of the same family.
 *
 * A previous revision that does not exist (deleted, or never registered: ECS answers `ClientException: Unable to
 * describe task definition.`) is simply left out. Any other failure on it (AccessDenied, throttling) is kept in
 * `errors`, so the snapshot says the rollback candidate is unknown rather than absent. A failure on the current
 * one rejects: every step that needs it reports it.
 */
export async function loadTaskDefinitions(ecs: ECSClient, service: SdkService): Promise<TaskDefinitions> {
  const currentArn = service.taskDefinition ?? service.deployments?.find((d) => d.status === "PRIMARY")?.taskDefinition;
  if (!currentArn) throw new Error("the service names no task definition");
  const describe = (taskDefinition: string) =>
    awsCall("ecs:DescribeTaskDefinition", () => ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition })));

  const otherDeployment = service.deployments?.find(
    (d) => d.taskDefinition && d.taskDefinition !== currentArn,
  )?.taskDefinition;
  const previousRef = otherDeployment ?? previousRevision(currentArn);

  const errors: StepError[] = [];
  const [current, previous] = await Promise.all([
    describe(currentArn),
    previousRef
      ? describe(previousRef).catch((error: unknown) => {
          if (!isNoSuchTaskDefinition(error)) errors.push(toStepError(error, "ecs:DescribeTaskDefinition"));
          return undefined;
        })
      : Promise.resolve(undefined),
  ]);
  if (!current.taskDefinition) throw new Error(`DescribeTaskDefinition returned no task definition for ${currentArn}`);
  const previousDefinition: TaskDefinition | undefined = previous?.taskDefinition
    ? toTaskDefinition(previous.taskDefinition, "previous")
    : undefined;
  return { current: toTaskDefinition(current.taskDefinition, "current"), previous: previousDefinition, errors };
}

/** ECS's answer for a task definition that does not exist: a ClientException, not a *NotFound* error. */
function isNoSuchTaskDefinition(error: unknown): boolean {
  return (
    awsErrorName(error) === "ClientException" &&
    /unable to describe task definition/i.test(awsErrorMessage(error) ?? "")
  );
}
