import { lastSegment } from "../../aws/arn";
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
  id: "secrets",
  number: 8,
  title: "Secrets and config",
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
  summarize(data) {
    // The same secret usually appears in both the current and the previous definition: count it once.
    const distinct = new Map(data.secrets.map((s) => [`${s.containerName}\u0000${s.name}\u0000${s.valueFrom}`, s]));
    const secrets = [...distinct.values()];
    const extras = [
      data.repositoryCredentials.length > 0 ? `${data.repositoryCredentials.length} registry credential(s)` : undefined,
      data.environmentFiles.length > 0 ? `${data.environmentFiles.length} environment file(s)` : undefined,
    ].filter((x): x is string => x !== undefined);
    if (secrets.length === 0 && extras.length === 0) return "no secrets or config files at start-up";

    const parts: string[] = [];
    if (secrets.length > 0) {
      const bySource = (source: SecretSource) => secrets.filter((s) => s.source === source).length;
      const breakdown = [
        [bySource("secretsmanager"), "Secrets Manager"],
        [bySource("ssm"), "SSM"],
        [bySource("other"), "other"],
      ]
        .filter(([n]) => Number(n) > 0)
        .map(([n, label]) => `${n} ${label}`)
        .join(", ");
      parts.push(`${secrets.length} secret${secrets.length === 1 ? "" : "s"} (${breakdown})`);
    }
    parts.push(...extras);
    const role = data.executionRoleArn
      ? `read by execution role ${lastSegment(data.executionRoleArn)}`
      : "but no execution role";
    return `${parts.join(", ")} ${role}`;
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
