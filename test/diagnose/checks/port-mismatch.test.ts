import { describe, expect, it } from "vitest";
import { portMismatchCheck } from "../../../src/diagnose/checks/port-mismatch";
import {
  container,
  context,
  evidence,
  ids,
  networkData,
  targetGroup,
  taskDefinition,
  TARGET_GROUP_ARN,
  LOAD_BALANCER_ARN,
  type EvidenceOptions,
} from "./fixture";

const binding = (overrides: Partial<ReturnType<typeof networkData>["bindings"][number]> = {}) => ({
  targetGroupArn: TARGET_GROUP_ARN,
  containerName: "app",
  containerPort: 8080,
  targetGroupPort: 8080,
  healthCheckPort: "traffic-port",
  loadBalancerArns: [LOAD_BALANCER_ARN],
  ...overrides,
});

const cases: Array<{ case: string; options: EvidenceOptions; expected: string[]; vars?: Record<string, string> }> = [
  {
    case: "the container maps 3000 but the service registers 8080",
    options: {
      taskDefinitions: [
        taskDefinition(43, {
          containers: [container({ portMappings: [{ containerPort: 3000, hostPort: 3000, protocol: "tcp" }] })],
        }),
      ],
      steps: { "network-ports": networkData({ bindings: [binding()] }) },
    },
    expected: ["port-mismatch.container-port"],
    vars: { containerPort: "8080", mappedPorts: "3000", container: "app" },
  },
  {
    case: "the service registers a container the task definition does not have",
    options: {
      service: { loadBalancers: [{ targetGroupArn: TARGET_GROUP_ARN, containerName: "web", containerPort: 8080 }] },
      steps: { "network-ports": networkData({ bindings: [binding({ containerName: "web" })] }) },
    },
    expected: ["port-mismatch.container-missing"],
    vars: { container: "web", containers: "app" },
  },
  {
    case: "explicit health-check port 9090 with ip targets on 8080",
    options: { steps: { "network-ports": networkData({ bindings: [binding({ healthCheckPort: "9090" })] }) } },
    expected: ["port-mismatch.health-check-port"],
    vars: { healthCheckPort: "9090", expectedPort: "8080" },
  },
  {
    case: "explicit health-check port with dynamic host ports (bridge mode) — from the target-health step when the network step is missing",
    options: {
      taskDefinitions: [
        taskDefinition(43, {
          networkMode: "bridge",
          containers: [container({ portMappings: [{ containerPort: 8080, hostPort: 0, protocol: "tcp" }] })],
        }),
      ],
      steps: {
        "target-health": {
          targetGroups: [
            targetGroup({ targetType: "instance", healthCheck: { ...targetGroup().healthCheck!, port: "8080" } }),
          ],
        },
      },
    },
    expected: ["port-mismatch.health-check-port"],
    vars: { expectedPort: "a dynamic host port" },
  },
  {
    case: "no mismatch: ip targets, traffic-port, target-group port 80 (irrelevant for ip targets)",
    options: { steps: { "network-ports": networkData({ bindings: [binding({ targetGroupPort: 80 })] }) } },
    expected: [],
  },
  {
    case: "no mismatch: explicit health-check port equal to the container port",
    options: { steps: { "network-ports": networkData({ bindings: [binding({ healthCheckPort: "8080" })] }) } },
    expected: [],
  },
  {
    case: "no mismatch: bridge mode with a fixed host port that the health check names",
    options: {
      taskDefinitions: [
        taskDefinition(43, {
          networkMode: "bridge",
          containers: [container({ portMappings: [{ containerPort: 8080, hostPort: 80, protocol: "tcp" }] })],
        }),
      ],
      steps: {
        "network-ports": networkData({ networkMode: "bridge", bindings: [binding({ healthCheckPort: "80" })] }),
      },
    },
    expected: [],
  },
  {
    case: "not applicable: the service has no load balancer",
    options: { service: { loadBalancers: [] }, steps: { "network-ports": networkData({ bindings: [] }) } },
    expected: [],
  },
  {
    case: "not applicable: the current task definition could not be read",
    options: {
      taskDefinitions: [],
      steps: { "network-ports": networkData({ bindings: [binding({ healthCheckPort: "9090" })] }) },
    },
    expected: [],
  },
];

describe("port-mismatch check", () => {
  it.each(cases)("$case", ({ options, expected, vars }) => {
    const hits = portMismatchCheck.run(context(evidence(options)));
    expect(ids(hits)).toEqual(expected);
    if (vars) expect(hits[0]!.vars).toMatchObject(vars);
    for (const hit of hits) expect(hit.evidence.length).toBeGreaterThan(0);
  });
});
