import { z } from "zod";
import { Timestamp, opt } from "./primitives";

/** AWS resources as the snapshot keeps them: tasks, task definitions, the service, target groups. */

export const ContainerStateSchema = z.object({
  name: z.string(),
  image: opt(z.string()),
  imageDigest: opt(z.string()),
  runtimeId: opt(z.string()),
  lastStatus: opt(z.string()),
  exitCode: opt(z.number().int()),
  reason: opt(z.string()),
  healthStatus: opt(z.string()),
});
export type ContainerState = z.infer<typeof ContainerStateSchema>;

export const TaskSchema = z.object({
  taskArn: z.string(),
  taskDefinitionArn: opt(z.string()),
  group: opt(z.string()),
  startedBy: opt(z.string()),
  lastStatus: opt(z.string()),
  desiredStatus: opt(z.string()),
  healthStatus: opt(z.string()),
  launchType: opt(z.string()),
  capacityProviderName: opt(z.string()),
  platformVersion: opt(z.string()),
  availabilityZone: opt(z.string()),
  createdAt: opt(Timestamp),
  pullStartedAt: opt(Timestamp),
  pullStoppedAt: opt(Timestamp),
  startedAt: opt(Timestamp),
  stoppingAt: opt(Timestamp),
  stoppedAt: opt(Timestamp),
  stopCode: opt(z.string()),
  stoppedReason: opt(z.string()),
  /** From the ENI attachment (awsvpc): where the task tried to get an IP. */
  subnetId: opt(z.string()),
  privateIPv4Address: opt(z.string()),
  containers: z.array(ContainerStateSchema),
  /**
   * True when the task came from ecs-medic's stopped-task archive (an "ECS Task State Change" STOPPED event kept in
   * the table) rather than from ListTasks, which forgets stopped tasks after about an hour. Absent otherwise.
   */
  archived: opt(z.literal(true)),
});
export type Task = z.infer<typeof TaskSchema>;

export const PortMappingSchema = z.object({
  containerPort: opt(z.number().int()),
  hostPort: opt(z.number().int()),
  protocol: opt(z.string()),
  name: opt(z.string()),
});

export const ContainerDefinitionSchema = z.object({
  name: z.string(),
  image: z.string(),
  essential: z.boolean(),
  cpu: opt(z.number()),
  memory: opt(z.number()),
  memoryReservation: opt(z.number()),
  portMappings: z.array(PortMappingSchema),
  /**
   * Options redacted: a value under a credential-like name (`splunk-token`, `Http_Passwd`, `apikey`) is
   * `[REDACTED:secret]`, others went through redaction; the awslogs group, region and prefix are kept exact.
   */
  logConfiguration: opt(z.object({ logDriver: z.string(), options: z.record(z.string(), z.string()) })),
  /** Names and ARNs only: a secret's value is never read. */
  secrets: z.array(z.object({ name: z.string(), valueFrom: z.string() })),
  /** Plain environment variable names; values are dropped because people put secrets in them. */
  environmentNames: z.array(z.string()),
  environmentFiles: z.array(z.object({ type: z.string(), value: z.string() })),
  repositoryCredentialsParameter: opt(z.string()),
  healthCheck: opt(
    z.object({
      /** Redacted (a token in a curl header). */
      command: z.array(z.string()),
      interval: opt(z.number()),
      timeout: opt(z.number()),
      retries: opt(z.number()),
      startPeriod: opt(z.number()),
    }),
  ),
});
export type ContainerDefinition = z.infer<typeof ContainerDefinitionSchema>;

export const TaskDefinitionSchema = z.object({
  taskDefinitionArn: z.string(),
  family: z.string(),
  revision: z.number().int(),
  /** `current`: the service's task definition; `previous`: the one before it (rollback candidate). */
  role: z.enum(["current", "previous"]),
  status: opt(z.string()),
  registeredAt: opt(Timestamp),
  registeredBy: opt(z.string()),
  executionRoleArn: opt(z.string()),
  taskRoleArn: opt(z.string()),
  networkMode: opt(z.string()),
  cpu: opt(z.string()),
  memory: opt(z.string()),
  requiresCompatibilities: z.array(z.string()),
  runtimePlatform: opt(z.object({ cpuArchitecture: opt(z.string()), operatingSystemFamily: opt(z.string()) })),
  containers: z.array(ContainerDefinitionSchema),
});
export type TaskDefinition = z.infer<typeof TaskDefinitionSchema>;

export const ServiceSchema = z.object({
  serviceName: z.string(),
  serviceArn: z.string(),
  clusterArn: z.string(),
  status: opt(z.string()),
  desiredCount: z.number().int(),
  runningCount: z.number().int(),
  pendingCount: z.number().int(),
  launchType: opt(z.string()),
  capacityProviderStrategy: z.array(
    z.object({ capacityProvider: z.string(), weight: opt(z.number()), base: opt(z.number()) }),
  ),
  platformVersion: opt(z.string()),
  taskDefinition: opt(z.string()),
  createdAt: opt(Timestamp),
  createdBy: opt(z.string()),
  schedulingStrategy: opt(z.string()),
  deploymentController: opt(z.string()),
  healthCheckGracePeriodSeconds: opt(z.number()),
  network: opt(
    z.object({
      subnets: z.array(z.string()),
      securityGroups: z.array(z.string()),
      assignPublicIp: opt(z.string()),
    }),
  ),
  loadBalancers: z.array(
    z.object({
      targetGroupArn: opt(z.string()),
      loadBalancerName: opt(z.string()),
      containerName: opt(z.string()),
      containerPort: opt(z.number().int()),
    }),
  ),
  deploymentConfiguration: opt(
    z.object({
      minimumHealthyPercent: opt(z.number()),
      maximumPercent: opt(z.number()),
      circuitBreaker: opt(z.object({ enable: z.boolean(), rollback: z.boolean() })),
      alarms: opt(z.object({ alarmNames: z.array(z.string()), enable: z.boolean(), rollback: z.boolean() })),
      strategy: opt(z.string()),
    }),
  ),
});
export type Service = z.infer<typeof ServiceSchema>;

export const TargetGroupSchema = z.object({
  targetGroupArn: z.string(),
  targetGroupName: opt(z.string()),
  protocol: opt(z.string()),
  port: opt(z.number().int()),
  vpcId: opt(z.string()),
  targetType: opt(z.string()),
  loadBalancerArns: z.array(z.string()),
  healthCheck: z.object({
    enabled: opt(z.boolean()),
    protocol: opt(z.string()),
    port: opt(z.string()),
    path: opt(z.string()),
    matcher: opt(z.object({ httpCode: opt(z.string()), grpcCode: opt(z.string()) })),
    intervalSeconds: opt(z.number()),
    timeoutSeconds: opt(z.number()),
    healthyThresholdCount: opt(z.number()),
    unhealthyThresholdCount: opt(z.number()),
  }),
});
export type TargetGroup = z.infer<typeof TargetGroupSchema>;
