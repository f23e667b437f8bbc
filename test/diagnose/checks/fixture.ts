/**
 * Evidence snapshots for check and proposal tests, shaped exactly as the collectors write them and validated by
 * the real schema, so a test states only what matters to it. "Now" is NOW (`collectedAt`).
 */
import type { CheckContext, CheckHit } from "../../../src/diagnose/checks/check";
import { loadPlaybooks } from "../../../src/diagnose/load-playbooks";
import type { CheckOrder } from "../../../src/diagnose/playbook-schema";
import type { Finding } from "../../../src/diagnose/types";
import {
  EvidenceSchema,
  type ContainerDefinition,
  type Evidence,
  type Service,
  type StepData,
  type StepId,
  type Task,
  type TaskDefinition,
} from "../../../src/evidence/schema";
import {
  ACCOUNT,
  CLUSTER,
  CLUSTER_ARN,
  EXECUTION_ROLE_ARN,
  IMAGE,
  LOAD_BALANCER_ARN,
  NOW,
  REGION,
  SERVICE,
  SERVICE_ARN,
  TARGET_GROUP_ARN,
  TASK_ARN,
  TASK_DEF_ARN,
  TASK_ROLE_ARN,
} from "../../fixtures/aws";

export {
  ACCOUNT,
  EXECUTION_ROLE_ARN,
  IMAGE,
  LOAD_BALANCER_ARN,
  NOW,
  REGION,
  SERVICE,
  TARGET_GROUP_ARN,
  TASK_ARN,
  TASK_DEF_ARN,
};

export const THRESHOLDS: CheckOrder["thresholds"] = {
  recentChangeMinutes: 60,
  saturationPercent: 80,
  saturationPoints: 5,
  risingFactor: 1.5,
  scaleFactor: 1.5,
  scaleMaxAdd: 20,
};

export const TASK_SG = "sg-0task000000000001";
export const ALB_SG = "sg-0alb0000000000001";
export const SUBNETS = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"];
export const DB_SECRET = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:prod/payment-api/db-AbCdEf`;
export const API_KEY_PARAM = `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/prod/payment-api/api-key`;
export const DIGEST_A = "sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945";
export const DIGEST_B = "sha256:9b2e61a0c7d84f1e5a3b6c9d0e2f4a6b8c1d3e5f7a9b0c2d4e6f8a1b3c5d7e9f";

/** An ISO time `minutes` before NOW. */
export const ago = (minutes: number) =>
  new Date(Date.parse(NOW) - minutes * 60_000).toISOString().replace(".000Z", "Z");

export function container(overrides: Partial<ContainerDefinition> = {}): ContainerDefinition {
  return {
    name: "app",
    image: IMAGE("v1.43"),
    essential: true,
    portMappings: [{ containerPort: 8080, hostPort: 8080, protocol: "tcp", name: "app-8080-tcp" }],
    logConfiguration: {
      logDriver: "awslogs",
      options: { "awslogs-group": "/ecs/payment-api", "awslogs-region": REGION, "awslogs-stream-prefix": "ecs" },
    },
    secrets: [{ name: "DB_PASSWORD", valueFrom: DB_SECRET }],
    environmentNames: ["LOG_LEVEL"],
    environmentFiles: [],
    ...overrides,
  };
}

export function taskDefinition(revision: number, overrides: Partial<TaskDefinition> = {}): TaskDefinition {
  return {
    taskDefinitionArn: TASK_DEF_ARN(revision),
    family: SERVICE,
    revision,
    role: revision === 43 ? "current" : "previous",
    status: "ACTIVE",
    registeredAt: ago(revision === 43 ? 20 : 7 * 1440),
    executionRoleArn: EXECUTION_ROLE_ARN,
    taskRoleArn: TASK_ROLE_ARN,
    networkMode: "awsvpc",
    cpu: "512",
    memory: "1024",
    requiresCompatibilities: ["FARGATE"],
    containers: [container({ image: IMAGE(`v1.${revision}`) })],
    ...overrides,
  };
}

export function service(overrides: Partial<Service> = {}): Service {
  return {
    serviceName: SERVICE,
    serviceArn: SERVICE_ARN,
    clusterArn: CLUSTER_ARN,
    status: "ACTIVE",
    desiredCount: 3,
    runningCount: 3,
    pendingCount: 0,
    launchType: "FARGATE",
    capacityProviderStrategy: [],
    platformVersion: "LATEST",
    taskDefinition: TASK_DEF_ARN(43),
    schedulingStrategy: "REPLICA",
    deploymentController: "ECS",
    healthCheckGracePeriodSeconds: 60,
    network: { subnets: SUBNETS, securityGroups: [TASK_SG], assignPublicIp: "DISABLED" },
    loadBalancers: [{ targetGroupArn: TARGET_GROUP_ARN, containerName: "app", containerPort: 8080 }],
    deploymentConfiguration: {
      minimumHealthyPercent: 100,
      maximumPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
    },
    ...overrides,
  };
}

let taskCounter = 0;
export function task(overrides: Partial<Task> = {}): Task {
  const id = (++taskCounter).toString(16).padStart(32, "0");
  return {
    taskArn: TASK_ARN(id),
    taskDefinitionArn: TASK_DEF_ARN(43),
    group: `service:${SERVICE}`,
    startedBy: "ecs-svc/1111111111111111111",
    lastStatus: "STOPPED",
    desiredStatus: "STOPPED",
    launchType: "FARGATE",
    availabilityZone: `${REGION}a`,
    createdAt: ago(12),
    startedAt: ago(11),
    stoppingAt: ago(10),
    stoppedAt: ago(9),
    stopCode: "EssentialContainerExited",
    stoppedReason: "Essential container in task exited",
    subnetId: SUBNETS[0],
    containers: [{ name: "app", image: IMAGE("v1.43"), lastStatus: "STOPPED", exitCode: 1 }],
    ...overrides,
  };
}

export function runningTask(overrides: Partial<Task> = {}): Task {
  return task({
    lastStatus: "RUNNING",
    desiredStatus: "RUNNING",
    healthStatus: "HEALTHY",
    stoppingAt: undefined,
    stoppedAt: undefined,
    stopCode: undefined,
    stoppedReason: undefined,
    containers: [
      { name: "app", image: IMAGE("v1.43"), imageDigest: DIGEST_A, lastStatus: "RUNNING", healthStatus: "UNKNOWN" },
    ],
    ...overrides,
  });
}

// ── per-step data ────────────────────────────────────────────────────────────────────────────────

type Deployment = StepData["deployment"]["deployments"][number];

export function deploymentEntry(overrides: Partial<Deployment> = {}): Deployment {
  return {
    id: "ecs-svc/1111111111111111111",
    status: "PRIMARY",
    taskDefinition: TASK_DEF_ARN(43),
    desiredCount: 3,
    pendingCount: 0,
    runningCount: 3,
    failedTasks: 0,
    rolloutState: "COMPLETED",
    rolloutStateReason: "ECS deployment ecs-svc/1111111111111111111 completed.",
    createdAt: ago(20),
    updatedAt: ago(15),
    launchType: "FARGATE",
    platformVersion: "1.4.0",
  };
}

export function deploymentData(overrides: Partial<StepData["deployment"]> = {}): StepData["deployment"] {
  return {
    deploymentController: "ECS",
    deploymentControllerDefaulted: false,
    minimumHealthyPercent: 100,
    maximumPercent: 200,
    circuitBreaker: { enable: true, rollback: true },
    alarms: null,
    deployments: [deploymentEntry()],
    history: { serviceDeployments: [] },
    ...overrides,
  };
}

export function stoppedTasksData(overrides: Partial<StepData["stopped-tasks"]> = {}): StepData["stopped-tasks"] {
  const stopped = overrides.stopped ?? [];
  return { stopped, stoppedListed: stopped.length, truncated: false, running: [], failures: [], ...overrides };
}

type TargetGroupEntry = StepData["target-health"]["targetGroups"][number];

export function targetGroup(overrides: Partial<TargetGroupEntry> = {}): TargetGroupEntry {
  return {
    targetGroupArn: TARGET_GROUP_ARN,
    targetGroupName: "payment-api-tg",
    protocol: "HTTP",
    port: 8080,
    vpcId: "vpc-0a1b2c3d4e5f60000",
    targetType: "ip",
    loadBalancerArns: [LOAD_BALANCER_ARN],
    healthCheck: {
      enabled: true,
      protocol: "HTTP",
      port: "traffic-port",
      path: "/health",
      matcher: { httpCode: "200" },
      intervalSeconds: 30,
      timeoutSeconds: 5,
      healthyThresholdCount: 5,
      unhealthyThresholdCount: 2,
    },
    containerName: "app",
    containerPort: 8080,
    targets: [{ id: "10.0.1.23", port: 8080, availabilityZone: `${REGION}a`, state: "healthy" }],
    ...overrides,
  };
}

type SecurityGroupEntry = StepData["network-ports"]["securityGroups"][number];
type Rule = SecurityGroupEntry["ingress"][number];

export function rule(overrides: Partial<Rule> = {}): Rule {
  return {
    ipProtocol: "tcp",
    fromPort: 8080,
    toPort: 8080,
    cidrIpv4: [],
    cidrIpv6: [],
    sourceGroupIds: [],
    prefixListIds: [],
    ...overrides,
  };
}

export const ALLOW_ALL_OUT: Rule = rule({
  ipProtocol: "-1",
  fromPort: undefined,
  toPort: undefined,
  cidrIpv4: ["0.0.0.0/0"],
});

export function securityGroup(groupId: string, ingress: Rule[], egress: Rule[] = [ALLOW_ALL_OUT]): SecurityGroupEntry {
  return {
    groupId,
    groupName: groupId === TASK_SG ? "payment-api-tasks" : "prod-alb",
    vpcId: "vpc-0a1b2c3d4e5f60000",
    ingress,
    egress,
  };
}

export function networkData(overrides: Partial<StepData["network-ports"]> = {}): StepData["network-ports"] {
  return {
    networkMode: "awsvpc",
    assignPublicIp: "DISABLED",
    subnets: SUBNETS,
    serviceSecurityGroups: [TASK_SG],
    containerPorts: [{ containerName: "app", containerPort: 8080, hostPort: 8080, protocol: "tcp" }],
    bindings: [
      {
        targetGroupArn: TARGET_GROUP_ARN,
        containerName: "app",
        containerPort: 8080,
        targetGroupPort: 8080,
        healthCheckPort: "traffic-port",
        loadBalancerArns: [LOAD_BALANCER_ARN],
      },
    ],
    loadBalancers: [
      {
        loadBalancerArn: LOAD_BALANCER_ARN,
        loadBalancerName: "prod-alb",
        type: "application",
        scheme: "internet-facing",
        vpcId: "vpc-0a1b2c3d4e5f60000",
        securityGroups: [ALB_SG],
      },
    ],
    securityGroups: [
      securityGroup(TASK_SG, [rule({ sourceGroupIds: [ALB_SG] })]),
      securityGroup(ALB_SG, [rule({ fromPort: 443, toPort: 443, cidrIpv4: ["0.0.0.0/0"] })]),
    ],
    errors: [],
    ...overrides,
  };
}

type ImageEntry = StepData["image"]["images"][number];

export function imageEntry(overrides: Partial<ImageEntry> = {}): ImageEntry {
  return {
    containerName: "app",
    taskDefinitionArn: TASK_DEF_ARN(43),
    role: "current",
    image: IMAGE("v1.43"),
    registry: "ecr",
    registryId: ACCOUNT,
    registryRegion: REGION,
    repositoryName: "payment-api",
    tag: "v1.43",
    ecr: { exists: true, imageDigest: DIGEST_A, imagePushedAt: ago(30), imageTags: ["v1.43"] },
    ...overrides,
  };
}

export function imageData(overrides: Partial<StepData["image"]> = {}): StepData["image"] {
  return {
    images: [imageEntry()],
    repositories: [{ registryId: ACCOUNT, repositoryName: "payment-api", imageTagMutability: "MUTABLE" }],
    runningDigests: [],
    ...overrides,
  };
}

export function secretsData(overrides: Partial<StepData["secrets"]> = {}): StepData["secrets"] {
  return {
    executionRoleArn: EXECUTION_ROLE_ARN,
    taskRoleArn: TASK_ROLE_ARN,
    secrets: [
      {
        taskDefinitionArn: TASK_DEF_ARN(43),
        containerName: "app",
        name: "DB_PASSWORD",
        valueFrom: DB_SECRET,
        source: "secretsmanager",
      },
      {
        taskDefinitionArn: TASK_DEF_ARN(43),
        containerName: "app",
        name: "API_KEY",
        valueFrom: API_KEY_PARAM,
        source: "ssm",
      },
    ],
    repositoryCredentials: [],
    environmentFiles: [],
    ...overrides,
  };
}

export function subnetsData(
  free: Array<number | undefined>,
  overrides: Partial<StepData["subnets"]> = {},
): StepData["subnets"] {
  const subnets = free.map((count, i) => ({
    subnetId: `subnet-0a1b2c3d4e5f6000${i + 1}`,
    vpcId: "vpc-0a1b2c3d4e5f60000",
    availabilityZone: `${REGION}${"abc"[i] ?? "a"}`,
    cidrBlock: `10.0.${i}.0/24`,
    ...(count === undefined ? {} : { availableIpAddressCount: count }),
  }));
  return {
    subnets,
    desiredCount: 3,
    runningCount: 3,
    maximumPercent: 200,
    maximumPercentDefaulted: false,
    surgeNeed: 3,
    totalAvailable: free.reduce<number>((sum, n) => sum + (n ?? 0), 0),
    ...overrides,
  };
}

type ChangeEvent = StepData["changes"]["events"][number];

export function changeEvent(overrides: Partial<ChangeEvent> = {}): ChangeEvent {
  return {
    eventId: "7f1c2d3e-0000-4000-8000-000000000001",
    eventName: "UpdateService",
    eventSource: "ecs.amazonaws.com",
    eventTime: ago(13),
    actor: `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/github-actions`,
    username: "github-actions",
    sourceIPAddress: "192.0.2.10",
    userAgent: "aws-sdk-js/3.600.0",
    requestParameters: { cluster: CLUSTER, service: SERVICE, taskDefinition: `${SERVICE}:43` },
    resources: [],
    matchedBy: `ResourceName=${SERVICE}`,
    ...overrides,
  };
}

export function changesData(events: ChangeEvent[]): StepData["changes"] {
  return {
    lookupSince: ago(7 * 60),
    lookups: [{ attributeKey: "ResourceName", attributeValue: SERVICE, events: events.length, truncated: false }],
    events: [...events].sort((a, b) => b.eventTime.localeCompare(a.eventTime)),
  };
}

type MetricSeries = StepData["saturation"]["series"][number];

/** A series with one reading a minute, ending at NOW. */
export function metricSeries(id: string, values: number[], overrides: Partial<MetricSeries> = {}): MetricSeries {
  const known: Record<string, Omit<MetricSeries, "id" | "points">> = {
    cpu_avg: {
      label: "CPU average (%)",
      namespace: "AWS/ECS",
      metricName: "CPUUtilization",
      stat: "Average",
      dimensions: { ClusterName: CLUSTER, ServiceName: SERVICE },
    },
    mem_avg: {
      label: "Memory average (%)",
      namespace: "AWS/ECS",
      metricName: "MemoryUtilization",
      stat: "Average",
      dimensions: { ClusterName: CLUSTER, ServiceName: SERVICE },
    },
    tg0_rpt: {
      label: "payment-api-tg requests per target",
      namespace: "AWS/ApplicationELB",
      metricName: "RequestCountPerTarget",
      stat: "Sum",
      dimensions: { TargetGroup: "targetgroup/payment-api-tg/0123456789abcdef" },
    },
    tg0_p95: {
      label: "payment-api-tg p95 response time (s)",
      namespace: "AWS/ApplicationELB",
      metricName: "TargetResponseTime",
      stat: "p95",
      dimensions: {
        TargetGroup: "targetgroup/payment-api-tg/0123456789abcdef",
        LoadBalancer: "app/prod-alb/50dc6c495c0c9188",
      },
    },
    tg0_5xx: {
      label: "payment-api-tg target 5xx",
      namespace: "AWS/ApplicationELB",
      metricName: "HTTPCode_Target_5XX_Count",
      stat: "Sum",
      dimensions: {
        TargetGroup: "targetgroup/payment-api-tg/0123456789abcdef",
        LoadBalancer: "app/prod-alb/50dc6c495c0c9188",
      },
    },
  };
  const base = known[id] ?? { label: id, namespace: "AWS/ECS", metricName: id, stat: "Average", dimensions: {} };
  return {
    id,
    ...base,
    points: values.map((value, i) => ({ timestamp: ago(values.length - 1 - i), value })),
    ...overrides,
  };
}

export function saturationData(series: MetricSeries[]): StepData["saturation"] {
  return { periodSeconds: 60, series };
}

// ── the snapshot ─────────────────────────────────────────────────────────────────────────────────

export interface EvidenceOptions {
  service?: Partial<Service>;
  taskDefinitions?: TaskDefinition[];
  steps?: { [K in StepId]?: StepData[K] | null };
  window?: { since: string; until: string };
}

/** A full snapshot, validated by EvidenceSchema. Steps not given are absent (not collected). */
export function evidence(options: EvidenceOptions = {}): Evidence {
  const steps = Object.entries(options.steps ?? {}).map(([id, data]) => ({
    id,
    status: data === null ? "error" : "collected",
    data,
    errors: [],
    durationMs: 10,
  }));
  return EvidenceSchema.parse({
    schemaVersion: 1,
    tool: { name: "ecs-medic", version: "0.1.0" },
    target: {
      account: ACCOUNT,
      region: REGION,
      cluster: CLUSTER,
      clusterArn: CLUSTER_ARN,
      service: SERVICE,
      serviceArn: SERVICE_ARN,
    },
    window: options.window ?? { since: ago(60), until: NOW },
    collectedAt: NOW,
    durationMs: 1200,
    service: service(options.service),
    taskDefinitions: options.taskDefinitions ?? [taskDefinition(43), taskDefinition(42)],
    contextErrors: [],
    steps,
  });
}

/** A message finding as the engine makes it, pointing at tasks or other evidence. */
export function finding(overrides: Partial<Finding> & Pick<Finding, "symptom">): Finding {
  return {
    id: overrides.symptom,
    severity: "critical",
    title: overrides.symptom,
    detail: "",
    fix: "",
    next: [],
    rule: overrides.symptom,
    steps: ["stopped-tasks"],
    role: "cause",
    evidence: [],
    count: overrides.evidence?.length ?? 1,
    ...overrides,
  };
}

/** The refs the engine puts on a finding made from stopped tasks. */
export function taskRefs(tasks: readonly Task[]): Finding["evidence"] {
  return tasks.map((t) => ({
    step: "stopped-tasks" as const,
    kind: "task" as const,
    id: t.taskArn,
    at: t.stoppedAt,
    text: t.stoppedReason ?? "",
  }));
}

export function context(
  ev: Evidence,
  options: { messageFindings?: Finding[]; onset?: string; thresholds?: Partial<CheckOrder["thresholds"]> } = {},
): CheckContext {
  return {
    evidence: ev,
    thresholds: { ...THRESHOLDS, ...options.thresholds },
    messageFindings: options.messageFindings ?? [],
    onset: options.onset,
    vars: { service: SERVICE, cluster: CLUSTER, region: REGION },
  };
}

const playbooks = loadPlaybooks();

/** Every hit must name a text in playbooks/checks: the engine drops hits without one. */
export function expectTextsExist(hits: readonly CheckHit[]): void {
  for (const hit of hits) {
    if (!playbooks.checks.has(hit.check))
      throw new Error(`hit names check text ${hit.check}, which playbooks/checks does not define`);
  }
}

/** The text ids of the hits, for `expect(...).toEqual([...])`. */
export function ids(hits: readonly CheckHit[]): string[] {
  expectTextsExist(hits);
  return hits.map((h) => h.check);
}
