import { DescribeTaskDefinitionCommand, type ECSClient, type Service as SdkService } from "@aws-sdk/client-ecs";
import { awsCall } from "../../aws/aws-call";
import { toTaskDefinition } from "../convert";
import type { TaskDefinitions } from "../step";

/**
 * The service's current task definition and the one before it (the rollback candidate): the task definition of
 * another deployment still listed on the service, else the previous revision of the same family.
 * A previous revision that cannot be described (deregistered and deleted) is simply left out.
 */
export async function loadTaskDefinitions(ecs: ECSClient, service: SdkService): Promise<TaskDefinitions> {
  const currentArn = service.taskDefinition ?? service.deployments?.find((d) => d.status === "PRIMARY")?.taskDefinition;
  if (!currentArn) throw new Error("the service names no task definition");
  const describe = (taskDefinition: string) =>
    awsCall("ecs:DescribeTaskDefinition", () => ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition })));

  const otherDeployment = service.deployments?.find((d) => d.taskDefinition && d.taskDefinition !== currentArn)?.taskDefinition;
  const previousRef = otherDeployment ?? previousRevision(currentArn);

  const [current, previous] = await Promise.all([
    describe(currentArn),
    previousRef ? describe(previousRef).catch(() => undefined) : Promise.resolve(undefined),
  ]);
  if (!current.taskDefinition) throw new Error(`DescribeTaskDefinition returned no task definition for ${currentArn}`);
  return {
    current: toTaskDefinition(current.taskDefinition, "current"),
    previous: previous?.taskDefinition ? toTaskDefinition(previous.taskDefinition, "previous") : undefined,
  };
}

/** `arn:…:task-definition/payment-api:42` → `arn:…:task-definition/payment-api:41` (none before revision 1). */
export function previousRevision(taskDefinitionArn: string): string | undefined {
  const match = /^(.*:task-definition\/[^:]+):(\d+)$/.exec(taskDefinitionArn) ?? /^([^:/]+):(\d+)$/.exec(taskDefinitionArn);
  if (!match) return undefined;
  const revision = Number(match[2]);
  return revision > 1 ? `${match[1]}:${revision - 1}` : undefined;
}
