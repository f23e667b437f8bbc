import { z } from "zod";

/**
 * The evidence snapshot: everything the collectors read from AWS for one diagnosis, as plain JSON.
 * It is the contract between collection (I/O) and diagnosis (pure). Timestamps are ISO-8601 UTC strings.
 * Field names follow the AWS API responses they come from, so a reader can look them up in the AWS docs.
 * Bump SCHEMA_VERSION on any incompatible change and keep `docs/evidence-format.md` in step.
 */
export const SCHEMA_VERSION = 1;

/**
 * An ISO-8601 date-time with an offset, normalised on load to UTC `…Z` without milliseconds — the form the
 * collectors write — so the diagnosis can compare timestamps of a hand-edited or foreign snapshot safely.
 */
const Timestamp = z
  .string()
  .refine((s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/.test(s) && !Number.isNaN(Date.parse(s)), {
    message: "expected an ISO-8601 date-time with a UTC offset, e.g. 2026-11-26T10:00:00Z",
  })
  .transform((s) => new Date(s).toISOString().replace(/\.\d{3}Z$/, "Z"));
const opt = <T extends z.ZodType>(schema: T) => schema.optional();

// ── errors ────────────────────────────────────────────────────────────────────────────────────────

export const StepErrorKind = {
  AccessDenied: "access_denied",
  Throttled: "throttled",
  NotFound: "not_found",
  ApiUnavailable: "api_unavailable",
  Timeout: "timeout",
  Network: "network",
  Credentials: "credentials",
  MalformedResponse: "malformed_response",
  InvalidRequest: "invalid_request",
  Internal: "internal",
  /**
   * A read deliberately not made: the resource (log group, ECR repository) is in another region than the one the
   * diagnosis reads. Kept on the item it concerns, never counted as a step error.
   */
  OtherRegion: "other_region",
} as const;
export type StepErrorKind = (typeof StepErrorKind)[keyof typeof StepErrorKind];

/** Why a step, or one read inside it, could not be collected, and what to do about it. */
export const StepErrorSchema = z.object({
  kind: z.enum(Object.values(StepErrorKind) as [StepErrorKind, ...StepErrorKind[]]),
  /** The AWS error code (`AccessDeniedException`, `UnauthorizedOperation`, …) or the JS error name. */
  code: z.string(),
  /** IAM-style operation that failed, e.g. `ec2:DescribeSubnets`. */
  operation: opt(z.string()),
  /** AWS's own message, redacted. */
  message: z.string(),
  /** The next thing to do, e.g. "grant ec2:DescribeSubnets to see subnet IPs". */
  hint: z.string(),
});
export type StepError = z.infer<typeof StepErrorSchema>;

// ── shared shapes ────────────────────────────────────────────────────────────────────────────────

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

// ── per-step data ────────────────────────────────────────────────────────────────────────────────

export const ServiceEventsDataSchema = z.object({
  /**
   * Events from 6 hours before the window's start to its end, newest first (DescribeServices keeps ≤ 100), so the
   * last steady-state message before the onset is visible. `inWindow`: the event is inside `[since, until]`.
   */
  events: z.array(z.object({ id: z.string(), createdAt: Timestamp, message: z.string(), inWindow: z.boolean() })),
  /** How many events DescribeServices returned in all, before the time filter. */
  returned: z.number().int(),
});
export type ServiceEventsData = z.infer<typeof ServiceEventsDataSchema>;

export const DeploymentSchema = z.object({
  id: z.string(),
  status: z.string(),
  taskDefinition: opt(z.string()),
  desiredCount: z.number().int(),
  pendingCount: z.number().int(),
  runningCount: z.number().int(),
  failedTasks: z.number().int(),
  rolloutState: opt(z.string()),
  rolloutStateReason: opt(z.string()),
  createdAt: opt(Timestamp),
  updatedAt: opt(Timestamp),
  launchType: opt(z.string()),
  platformVersion: opt(z.string()),
});

export const ServiceDeploymentSchema = z.object({
  serviceDeploymentArn: z.string(),
  status: opt(z.string()),
  statusReason: opt(z.string()),
  createdAt: opt(Timestamp),
  startedAt: opt(Timestamp),
  finishedAt: opt(Timestamp),
  stoppedAt: opt(Timestamp),
  updatedAt: opt(Timestamp),
  targetServiceRevisionArn: opt(z.string()),
  /** The task definition the target revision runs (from DescribeServiceRevisions, when available). */
  targetTaskDefinition: opt(z.string()),
  sourceServiceRevisionArns: z.array(z.string()),
  rollback: opt(z.object({ reason: opt(z.string()), startedAt: opt(Timestamp), serviceRevisionArn: opt(z.string()) })),
  circuitBreaker: opt(z.object({ status: opt(z.string()), failureCount: opt(z.number()), threshold: opt(z.number()) })),
  alarms: opt(z.object({ status: opt(z.string()), triggeredAlarmNames: z.array(z.string()) })),
});

export const DeploymentDataSchema = z.object({
  /** `ECS` when DescribeServices names none (ECS's documented default); see `deploymentControllerDefaulted`. */
  deploymentController: z.string(),
  /** True when `deploymentController` is ECS's default rather than a value AWS returned. */
  deploymentControllerDefaulted: z.boolean(),
  minimumHealthyPercent: opt(z.number()),
  maximumPercent: opt(z.number()),
  circuitBreaker: z.object({ enable: z.boolean(), rollback: z.boolean() }).nullable(),
  alarms: z.object({ alarmNames: z.array(z.string()), enable: z.boolean(), rollback: z.boolean() }).nullable(),
  /** service.deployments[]: PRIMARY first. */
  deployments: z.array(DeploymentSchema),
  /**
   * ListServiceDeployments (all pages, bounded; sorted newest `createdAt` first, newest `maxServiceDeployments`
   * kept) + DescribeServiceDeployments; `error` says why it is missing.
   */
  history: z.object({
    serviceDeployments: z.array(ServiceDeploymentSchema),
    error: opt(StepErrorSchema),
  }),
  /** The newest task definition known to have completed a rollout, when one is known. */
  lastSuccessfulTaskDefinition: opt(z.string()),
});
export type DeploymentData = z.infer<typeof DeploymentDataSchema>;

export const StoppedTasksDataSchema = z.object({
  /**
   * Stopped tasks of this service, newest `stoppedAt` first. Tasks in a DescribeTasks batch that failed are
   * missing (the step is then `partial`, with the batch's error in `errors`).
   */
  stopped: z.array(TaskSchema),
  /** Stopped task ARNs that ListTasks returned (ECS keeps them about an hour), at most `maxStoppedTasks`. */
  stoppedListed: z.number().int(),
  /** True when more stopped tasks existed than were listed. */
  truncated: z.boolean(),
  /** Running (and pending) tasks: digests and health. */
  running: z.array(TaskSchema),
  /** Task ARNs DescribeTasks answered with a `failures[]` entry instead of the task, e.g. reason `MISSING`. */
  failures: z.array(z.object({ arn: z.string(), reason: z.string(), detail: opt(z.string()) })),
});
export type StoppedTasksData = z.infer<typeof StoppedTasksDataSchema>;

export const TargetHealthDataSchema = z.object({
  /**
   * One per target group in service.loadBalancers. A group DescribeTargetGroups could not describe (deleted,
   * denied) has only its ARN, `describeError` and whatever DescribeTargetHealth still said: its settings
   * (`loadBalancerArns`, `healthCheck`, …) are absent, not empty.
   */
  targetGroups: z.array(
    TargetGroupSchema.partial({ loadBalancerArns: true, healthCheck: true }).extend({
      /** From service.loadBalancers: which container and port ECS registers. */
      containerName: opt(z.string()),
      containerPort: opt(z.number().int()),
      targets: z.array(
        z.object({
          id: z.string(),
          port: opt(z.number().int()),
          availabilityZone: opt(z.string()),
          state: z.string(),
          reason: opt(z.string()),
          description: opt(z.string()),
        }),
      ),
      /** DescribeTargetHealth failed for this group. */
      error: opt(StepErrorSchema),
      /** DescribeTargetGroups failed for this group (e.g. TargetGroupNotFoundException: it was deleted). */
      describeError: opt(StepErrorSchema),
    }),
  ),
});
export type TargetHealthData = z.infer<typeof TargetHealthDataSchema>;

export const LogLineSchema = z.object({ timestamp: Timestamp, message: z.string() });

export const TaskLogsDataSchema = z.object({
  streams: z.array(
    z.object({
      taskArn: z.string(),
      containerName: z.string(),
      logGroup: z.string(),
      logStream: z.string(),
      region: opt(z.string()),
      /** Last lines, oldest first, redacted. */
      lines: z.array(LogLineSchema),
      error: opt(StepErrorSchema),
    }),
  ),
  /** Error-pattern search over each log group in the window (FilterLogEvents, bounded). */
  patternSearches: z.array(
    z.object({
      logGroup: z.string(),
      /** The search is narrowed to this service's streams when the log group is shared. */
      logStreamNamePrefix: opt(z.string()),
      filterPattern: z.string(),
      matches: z.array(LogLineSchema.extend({ logStream: z.string() })),
      truncated: z.boolean(),
      error: opt(StepErrorSchema),
    }),
  ),
  /**
   * Containers whose logs cannot be read here (non-awslogs drivers, no log configuration), and streams not read
   * because the task's container never started (`taskArn` set): there is no stream to read.
   */
  skipped: z.array(z.object({ containerName: z.string(), taskArn: opt(z.string()), logDriver: opt(z.string()), reason: z.string() })),
});
export type TaskLogsData = z.infer<typeof TaskLogsDataSchema>;

const SecurityGroupRuleSchema = z.object({
  ipProtocol: z.string(),
  fromPort: opt(z.number().int()),
  toPort: opt(z.number().int()),
  cidrIpv4: z.array(z.string()),
  cidrIpv6: z.array(z.string()),
  sourceGroupIds: z.array(z.string()),
  prefixListIds: z.array(z.string()),
});

export const NetworkDataSchema = z.object({
  networkMode: opt(z.string()),
  assignPublicIp: opt(z.string()),
  subnets: z.array(z.string()),
  serviceSecurityGroups: z.array(z.string()),
  containerPorts: z.array(
    z.object({ containerName: z.string(), containerPort: opt(z.number().int()), hostPort: opt(z.number().int()), protocol: opt(z.string()) }),
  ),
  /** One per service.loadBalancers entry, joined with its target group. */
  bindings: z.array(
    z.object({
      targetGroupArn: z.string(),
      containerName: opt(z.string()),
      containerPort: opt(z.number().int()),
      targetGroupPort: opt(z.number().int()),
      healthCheckPort: opt(z.string()),
      loadBalancerArns: z.array(z.string()),
    }),
  ),
  loadBalancers: z.array(
    z.object({
      loadBalancerArn: z.string(),
      loadBalancerName: opt(z.string()),
      type: opt(z.string()),
      scheme: opt(z.string()),
      vpcId: opt(z.string()),
      securityGroups: z.array(z.string()),
    }),
  ),
  securityGroups: z.array(
    z.object({
      groupId: z.string(),
      groupName: opt(z.string()),
      vpcId: opt(z.string()),
      ingress: z.array(SecurityGroupRuleSchema),
      egress: z.array(SecurityGroupRuleSchema),
    }),
  ),
  errors: z.array(StepErrorSchema),
});
export type NetworkData = z.infer<typeof NetworkDataSchema>;

export const ImageDataSchema = z.object({
  images: z.array(
    z.object({
      containerName: z.string(),
      taskDefinitionArn: z.string(),
      role: z.enum(["current", "previous"]),
      image: z.string(),
      registry: z.enum(["ecr", "other"]),
      /** ECR only: account, region and repository parsed from the image URI. */
      registryId: opt(z.string()),
      registryRegion: opt(z.string()),
      repositoryName: opt(z.string()),
      tag: opt(z.string()),
      /** When the image is pinned by digest (`repo@sha256:…`). */
      digest: opt(z.string()),
      /** ECR DescribeImages on the tag or digest. */
      ecr: opt(
        z.object({
          /** `null`: not checked (the read failed or the registry is in another region; see `error`). */
          exists: z.boolean().nullable(),
          imageDigest: opt(z.string()),
          imagePushedAt: opt(Timestamp),
          imageTags: z.array(z.string()),
          error: opt(StepErrorSchema),
        }),
      ),
    }),
  ),
  repositories: z.array(
    z.object({
      registryId: opt(z.string()),
      repositoryName: z.string(),
      imageTagMutability: opt(z.string()),
      error: opt(StepErrorSchema),
    }),
  ),
  /** Digests the service's running tasks report, per container. */
  runningDigests: z.array(z.object({ containerName: z.string(), imageDigest: z.string(), tasks: z.number().int() })),
});
export type ImageData = z.infer<typeof ImageDataSchema>;

export const SecretsDataSchema = z.object({
  executionRoleArn: opt(z.string()),
  taskRoleArn: opt(z.string()),
  secrets: z.array(
    z.object({
      taskDefinitionArn: z.string(),
      containerName: z.string(),
      name: z.string(),
      valueFrom: z.string(),
      source: z.enum(["secretsmanager", "ssm", "other"]),
    }),
  ),
  /** Private-registry credentials, which the execution role also reads at start-up. */
  repositoryCredentials: z.array(z.object({ containerName: z.string(), credentialsParameter: z.string() })),
  environmentFiles: z.array(z.object({ containerName: z.string(), type: z.string(), value: z.string() })),
});
export type SecretsData = z.infer<typeof SecretsDataSchema>;

export const SubnetsDataSchema = z.object({
  subnets: z.array(
    z.object({
      subnetId: z.string(),
      vpcId: opt(z.string()),
      availabilityZone: opt(z.string()),
      cidrBlock: opt(z.string()),
      /** Absent when EC2 did not say; never taken as 0. */
      availableIpAddressCount: opt(z.number().int()),
    }),
  ),
  desiredCount: z.number().int(),
  runningCount: z.number().int(),
  /** The service's maximumPercent, else ECS's documented default for REPLICA services, 200. */
  maximumPercent: z.number(),
  /** True when `maximumPercent` is ECS's default rather than a value AWS returned. */
  maximumPercentDefaulted: z.boolean(),
  /** Task ENIs a deployment may add on top of the running ones: desired × maximumPercent / 100 − running. */
  surgeNeed: z.number().int(),
  /** Sum of the subnets' free IPs that EC2 reported; subnets without a count are left out. */
  totalAvailable: z.number().int(),
});
export type SubnetsData = z.infer<typeof SubnetsDataSchema>;

export const ChangeEventSchema = z.object({
  eventId: z.string(),
  eventName: z.string(),
  eventSource: opt(z.string()),
  eventTime: Timestamp,
  /** Who: the principal ARN when CloudTrail has it, else the user name. */
  actor: opt(z.string()),
  username: opt(z.string()),
  sourceIPAddress: opt(z.string()),
  userAgent: opt(z.string()),
  errorCode: opt(z.string()),
  errorMessage: opt(z.string()),
  /** requestParameters from the CloudTrailEvent JSON, redacted. */
  requestParameters: opt(z.record(z.string(), z.unknown())),
  resources: z.array(z.object({ type: opt(z.string()), name: opt(z.string()) })),
  /** The lookup that found it, e.g. `ResourceName=payment-api`. */
  matchedBy: z.string(),
});
export type ChangeEvent = z.infer<typeof ChangeEventSchema>;

export const ChangesDataSchema = z.object({
  /**
   * Where the CloudTrail lookups started: the window's `since` minus max(window length, 6 h), never more than
   * 90 days back (CloudTrail's reach). The change that caused an outage usually happened before it showed.
   */
  lookupSince: Timestamp,
  lookups: z.array(z.object({ attributeKey: z.string(), attributeValue: z.string(), events: z.number().int(), truncated: z.boolean(), error: opt(StepErrorSchema) })),
  /**
   * Write calls, and any call that failed (`errorCode` set, read-only ones included: a denied GetSecretValue is
   * evidence), de-duplicated by eventId, newest first.
   */
  events: z.array(ChangeEventSchema),
});
export type ChangesData = z.infer<typeof ChangesDataSchema>;

export const SaturationDataSchema = z.object({
  periodSeconds: z.number().int(),
  series: z.array(
    z.object({
      id: z.string(),
      label: z.string(),
      namespace: z.string(),
      metricName: z.string(),
      stat: z.string(),
      dimensions: z.record(z.string(), z.string()),
      /** Oldest first. */
      points: z.array(z.object({ timestamp: Timestamp, value: z.number() })),
      statusCode: opt(z.string()),
    }),
  ),
});
export type SaturationData = z.infer<typeof SaturationDataSchema>;

// ── steps ────────────────────────────────────────────────────────────────────────────────────────

/** Stable step ids in check order (DESIGN.md §3), plus the supporting `saturation` step. */
export const STEP_IDS = [
  "service-events",
  "deployment",
  "stopped-tasks",
  "target-health",
  "task-logs",
  "network-ports",
  "image",
  "secrets",
  "subnets",
  "changes",
  "saturation",
] as const;
export type StepId = (typeof STEP_IDS)[number];

export const StepDataSchemas = {
  "service-events": ServiceEventsDataSchema,
  deployment: DeploymentDataSchema,
  "stopped-tasks": StoppedTasksDataSchema,
  "target-health": TargetHealthDataSchema,
  "task-logs": TaskLogsDataSchema,
  "network-ports": NetworkDataSchema,
  image: ImageDataSchema,
  secrets: SecretsDataSchema,
  subnets: SubnetsDataSchema,
  changes: ChangesDataSchema,
  saturation: SaturationDataSchema,
} as const satisfies Record<StepId, z.ZodType>;

export type StepData = { [K in StepId]: z.infer<(typeof StepDataSchemas)[K]> };

/**
 * How collection of a step went. `collected`: all reads answered; `partial`: data present but some reads
 * failed (see `errors`); `skipped`: not applicable to this service (see `skipReason`); `error`: no data.
 */
export const CollectionStatus = ["collected", "partial", "skipped", "error"] as const;
export type CollectionStatus = (typeof CollectionStatus)[number];

function stepRecordSchema<K extends StepId, S extends z.ZodType>(id: K, data: S) {
  return z.object({
    id: z.literal(id),
    status: z.enum(CollectionStatus),
    data: data.nullable(),
    errors: z.array(StepErrorSchema),
    skipReason: opt(z.string()),
    durationMs: z.number().int().nonnegative(),
  });
}

export const StepRecordSchema = z.discriminatedUnion("id", [
  stepRecordSchema("service-events", StepDataSchemas["service-events"]),
  stepRecordSchema("deployment", StepDataSchemas["deployment"]),
  stepRecordSchema("stopped-tasks", StepDataSchemas["stopped-tasks"]),
  stepRecordSchema("target-health", StepDataSchemas["target-health"]),
  stepRecordSchema("task-logs", StepDataSchemas["task-logs"]),
  stepRecordSchema("network-ports", StepDataSchemas["network-ports"]),
  stepRecordSchema("image", StepDataSchemas["image"]),
  stepRecordSchema("secrets", StepDataSchemas["secrets"]),
  stepRecordSchema("subnets", StepDataSchemas["subnets"]),
  stepRecordSchema("changes", StepDataSchemas["changes"]),
  stepRecordSchema("saturation", StepDataSchemas["saturation"]),
]);

/** One step's record in the snapshot, typed by its id. */
export type StepRecord<K extends StepId = StepId> = {
  [I in K]: {
    id: I;
    status: CollectionStatus;
    data: StepData[I] | null;
    errors: StepError[];
    skipReason?: string | undefined;
    durationMs: number;
  };
}[K];

// ── the snapshot ─────────────────────────────────────────────────────────────────────────────────

export const TargetSchema = z.object({
  account: opt(z.string()),
  region: z.string(),
  cluster: z.string(),
  clusterArn: z.string(),
  service: z.string(),
  serviceArn: z.string(),
});
export type Target = z.infer<typeof TargetSchema>;

export const EvidenceSchema = z
  .object({
    schemaVersion: z.literal(SCHEMA_VERSION),
    tool: z.object({ name: z.literal("ecs-medic"), version: z.string() }),
    target: TargetSchema,
    window: z.object({ since: Timestamp, until: Timestamp }),
    collectedAt: Timestamp,
    durationMs: z.number().int().nonnegative(),
    /** The service as DescribeServices described it (events and deployments are in their steps). */
    service: ServiceSchema,
    /** The current task definition and, when known, the previous one. */
    taskDefinitions: z.array(TaskDefinitionSchema),
    /** Reads every step depends on (task definitions, the previous revision included) that failed. */
    contextErrors: z.array(StepErrorSchema),
    steps: z.array(StepRecordSchema),
  })
  .superRefine((evidence, ctx) => {
    const ids = evidence.steps.map((s) => s.id);
    if (new Set(ids).size !== ids.length) ctx.addIssue({ code: "custom", path: ["steps"], message: "a step id appears twice" });
  });
export type Evidence = z.infer<typeof EvidenceSchema>;
