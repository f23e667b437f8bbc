import type { StepEntry } from "./entry";

export const networkPortsEntry: StepEntry<"network-ports"> = {
  id: "network-ports",
  number: 6,
  title: "Network and ports",
  summarize(data) {
    const ports = data.containerPorts
      .filter((p) => p.containerPort !== undefined)
      .map((p) => `${p.containerName}:${p.containerPort}`)
      .join(", ");
    const bindings = data.bindings
      .map(
        (b) =>
          `${b.containerName ?? "?"}:${b.containerPort ?? "?"} ← target port ${b.targetGroupPort ?? "?"} (health ${b.healthCheckPort ?? "?"})`,
      )
      .join(", ");
    const parts = [
      `${data.networkMode ?? "default"} mode`,
      `container ports ${ports || "none"}`,
      ...(bindings ? [`bindings ${bindings}`] : []),
      ...(data.loadBalancers.length > 0
        ? [`LB ${data.loadBalancers.map((lb) => `${lb.type ?? "?"}/${lb.scheme ?? "?"}`).join(", ")}`]
        : []),
      `${data.securityGroups.length} security group(s) read`,
      ...(data.errors.length > 0
        ? [`${data.errors.length} read(s) failed: ${data.errors.map((e) => e.operation ?? e.code).join(", ")}`]
        : []),
    ];
    return parts.join("; ");
  },
};
