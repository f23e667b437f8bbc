import { shortTaskDefinition } from "../aws/arn";
import type { DeploymentData } from "../evidence/schema";
import { oneLine } from "../util/format";
import type { StepEntry } from "./entry";

type Deployment = DeploymentData["deployments"][number];

export const deploymentEntry: StepEntry<"deployment"> = {
  id: "deployment",
  number: 2,
  title: "Deployment",
  summarize(data) {
    const parts: string[] = [];
    parts.push(
      data.deployments.length === 0 ? "no deployments listed" : data.deployments.map(describeDeployment).join(", "),
    );
    if (data.circuitBreaker?.enable)
      parts.push(`circuit breaker on${data.circuitBreaker.rollback ? " (rollback)" : ""}`);
    const latest = data.history.serviceDeployments[0];
    if (data.history.error) parts.push(`history unavailable (${data.history.error.kind})`);
    else if (latest)
      parts.push(
        `latest service deployment ${latest.status ?? "?"}${latest.statusReason ? `: ${oneLine(latest.statusReason, 80)}` : ""}`,
      );
    if (data.lastSuccessfulTaskDefinition)
      parts.push(`last successful ${shortTaskDefinition(data.lastSuccessfulTaskDefinition)}`);
    return parts.join("; ");
  },
};

function describeDeployment(d: Deployment): string {
  const td = d.taskDefinition ? ` ${shortTaskDefinition(d.taskDefinition)}` : "";
  const counts = `${d.runningCount}/${d.desiredCount} running`;
  const failed = d.failedTasks > 0 ? `, ${d.failedTasks} failed` : "";
  return `${d.status}${td} ${d.rolloutState ?? "?"} (${counts}${failed})`;
}
