import type { Evidence, TaskDefinition } from "../../evidence/schema";
import { shortName } from "../template";
import type { EvidenceRef } from "../types";
import type { Check, CheckHit } from "./check";
import { currentTaskDefinition, stepData } from "./evidence-access";

/** What the service registers with one target group, joined with that group's settings. */
interface Binding {
  readonly targetGroupArn: string;
  readonly targetGroupName?: string | undefined;
  readonly containerName?: string | undefined;
  readonly containerPort?: number | undefined;
  /** `traffic-port` or a number, as ELB returns it. */
  readonly healthCheckPort?: string | undefined;
  readonly targetType?: string | undefined;
}

/**
 * Step 6 — the port the load balancer sends traffic and health checks to is not one the container listens on:
 * - the service's loadBalancers entry names a container, or a containerPort, that the current task definition
 *   does not define (ECS registers a port nobody listens on);
 * - the target group's health check uses an explicit port that is not the port ECS registers: the container
 *   port for `ip` targets (awsvpc), the host port for `instance` targets (a dynamic host port can never be
 *   named explicitly). The target group's own `port` is irrelevant: ECS registers each target with its port.
 */
export const portMismatchCheck: Check = {
  id: "port-mismatch",
  step: "network-ports",
  run(ctx) {
    const td = currentTaskDefinition(ctx.evidence);
    if (!td) return [];
    const hits: CheckHit[] = [];
    for (const binding of bindings(ctx.evidence)) {
      if (!binding.containerName || binding.containerPort === undefined) continue;
      const targetGroup = binding.targetGroupName ?? shortName(binding.targetGroupArn);
      const container = td.containers.find((c) => c.name === binding.containerName);
      const configRef = (text: string): EvidenceRef => ({
        step: "network-ports",
        kind: "config",
        id: `${td.taskDefinitionArn}#${binding.containerName}`,
        text,
      });
      const baseVars = {
        container: binding.containerName,
        containerPort: String(binding.containerPort),
        targetGroup,
        taskDefinition: shortName(td.taskDefinitionArn),
      };

      if (!container) {
        hits.push({
          check: "port-mismatch.container-missing",
          step: "network-ports",
          vars: { ...baseVars, containers: td.containers.map((c) => c.name).join(", ") || "none" },
          evidence: [
            configRef(
              `${shortName(td.taskDefinitionArn)} has no container ${binding.containerName} (service registers ${binding.containerName}:${binding.containerPort} with ${targetGroup})`,
            ),
          ],
        });
        continue;
      }

      const mappings = container.portMappings;
      // A mapping with a port range has no containerPort here: the registered port may be inside it.
      const knowable = mappings.every((m) => m.containerPort !== undefined);
      const mapping = mappings.find((m) => m.containerPort === binding.containerPort);
      if (!mapping && knowable) {
        const mapped = mappings.map((m) => String(m.containerPort)).join(", ") || "none";
        hits.push({
          check: "port-mismatch.container-port",
          step: "network-ports",
          vars: { ...baseVars, mappedPorts: mapped },
          evidence: [
            configRef(
              `service registers ${binding.containerName}:${binding.containerPort} with ${targetGroup}; ${binding.containerName} maps ${mapped}`,
            ),
          ],
        });
        continue;
      }

      const hcPort = binding.healthCheckPort;
      if (!hcPort || !/^\d+$/.test(hcPort)) continue; // traffic-port (the default) follows the registered port
      const expected = registeredPort(td, binding, mapping?.hostPort);
      if (expected !== undefined && Number(hcPort) === expected) continue;
      const expectedText = expected === undefined ? "a dynamic host port" : String(expected);
      hits.push({
        check: "port-mismatch.health-check-port",
        step: "network-ports",
        vars: { ...baseVars, healthCheckPort: hcPort, expectedPort: expectedText },
        evidence: [
          {
            step: "network-ports",
            kind: "config",
            id: binding.targetGroupArn,
            text: `${targetGroup} health checks port ${hcPort}; ECS registers ${binding.containerName} on ${expectedText}`,
          },
          configRef(
            `${binding.containerName} listens on ${binding.containerPort} in ${shortName(td.taskDefinitionArn)}`,
          ),
        ],
      });
    }
    return hits;
  },
};

/**
 * The port ECS registers for a task: the container port for `ip` targets and awsvpc/host mode; for bridge mode
 * the mapping's fixed host port, or undefined when the host port is dynamic (0 or absent).
 */
function registeredPort(td: TaskDefinition, binding: Binding, hostPort: number | undefined): number | undefined {
  const mode = td.networkMode ?? "bridge";
  if (binding.targetType === "ip" || mode === "awsvpc" || mode === "host") return binding.containerPort;
  return hostPort !== undefined && hostPort > 0 ? hostPort : undefined;
}

/** The network step's bindings, else the service's loadBalancers joined with the target-health step's groups. */
function bindings(evidence: Evidence): Binding[] {
  const groups = stepData(evidence, "target-health")?.targetGroups ?? [];
  const byArn = new Map(groups.map((g) => [g.targetGroupArn, g]));
  const network = stepData(evidence, "network-ports");
  if (network && network.bindings.length > 0) {
    return network.bindings.map((b) => {
      const group = byArn.get(b.targetGroupArn);
      return {
        targetGroupArn: b.targetGroupArn,
        targetGroupName: group?.targetGroupName,
        containerName: b.containerName,
        containerPort: b.containerPort,
        healthCheckPort: b.healthCheckPort ?? group?.healthCheck?.port,
        targetType: group?.targetType,
      };
    });
  }
  return evidence.service.loadBalancers.flatMap((lb) => {
    if (!lb.targetGroupArn) return [];
    const group = byArn.get(lb.targetGroupArn);
    return [
      {
        targetGroupArn: lb.targetGroupArn,
        targetGroupName: group?.targetGroupName,
        containerName: lb.containerName,
        containerPort: lb.containerPort,
        healthCheckPort: group?.healthCheck?.port,
        targetType: group?.targetType,
      },
    ];
  });
}
