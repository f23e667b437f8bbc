import { lastSegment } from "../aws/arn";
import type { SecretsData } from "../evidence/schema";
import type { StepEntry } from "./entry";

type SecretSource = SecretsData["secrets"][number]["source"];

export const secretsEntry: StepEntry<"secrets"> = {
  id: "secrets",
  number: 8,
  title: "Secrets and config",
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
