import { secretsEntry } from "../../steps/08-secrets";
import type { SecretsData, TaskDefinition } from "../../evidence/schema";
import { compact } from "../convert";
import { outcome, type Step } from "../step";

type SecretSource = SecretsData["secrets"][number]["source"];

/**
 * Step 8 — what the task needs at start-up before any container runs: the `secrets` of every container
 * (Secrets Manager and SSM references), private-registry credentials and S3 environment files, all read by the
 * task's execution role. Taken from the task definitions already described (current first, then previous):
 * no AWS call of its own, and never a secret's value — only names and ARNs.
 */
export const secretsStep: Step<"secrets"> = {
  ...secretsEntry,
  async collect(ctx) {
    const { current, previous } = await ctx.taskDefinitions();
    const definitions = previous ? [current, previous] : [current];
    const data: SecretsData = compact({
      executionRoleArn: current.executionRoleArn,
      taskRoleArn: current.taskRoleArn,
      secrets: definitions.flatMap(secretsOf),
      // These entries carry no task-definition ARN in the schema, so only the current definition's are listed.
      repositoryCredentials: current.containers.flatMap((c) =>
        c.repositoryCredentialsParameter
          ? [{ containerName: c.name, credentialsParameter: c.repositoryCredentialsParameter }]
          : [],
      ),
      environmentFiles: current.containers.flatMap((c) =>
        c.environmentFiles.map((f) => ({ containerName: c.name, type: f.type, value: f.value })),
      ),
    });
    return outcome(data);
  },
};

function secretsOf(td: TaskDefinition): SecretsData["secrets"] {
  return td.containers.flatMap((c) =>
    c.secrets.map((s) => ({
      taskDefinitionArn: td.taskDefinitionArn,
      containerName: c.name,
      name: s.name,
      valueFrom: s.valueFrom,
      source: secretSource(s.valueFrom),
    })),
  );
}

/**
 * Secrets Manager needs a full ARN (optionally with `:json-key:version-stage:version-id` appended); SSM accepts a
 * full parameter ARN or, in the task's own region, a bare name or path (`db-password`, `/prod/db/password`).
 */
export function secretSource(valueFrom: string): SecretSource {
  if (/^arn:aws[a-z-]*:secretsmanager:[^:]*:\d*:secret:/.test(valueFrom)) return "secretsmanager";
  if (/^arn:aws[a-z-]*:ssm:[^:]*:\d*:parameter\//.test(valueFrom)) return "ssm";
  if (!valueFrom.startsWith("arn:") && /^[A-Za-z0-9_.\-/]+$/.test(valueFrom)) return "ssm";
  return "other";
}
