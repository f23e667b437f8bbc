import { z } from "zod";
import { StepErrorSchema, Timestamp, opt } from "./primitives";
import { TargetGroupSchema, TaskSchema } from "./resources";

/** What each step of the check order collected (its `data`). */

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
  skipped: z.array(
    z.object({ containerName: z.string(), taskArn: opt(z.string()), logDriver: opt(z.string()), reason: z.string() }),
  ),
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
    z.object({
      containerName: z.string(),
      containerPort: opt(z.number().int()),
      hostPort: opt(z.number().int()),
      protocol: opt(z.string()),
    }),
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
  /** `userIdentity.invokedBy`: the AWS service that made the call on the principal's behalf (`ecs.amazonaws.com`). */
  invokedBy: opt(z.string()),
  errorCode: opt(z.string()),
  errorMessage: opt(z.string()),
  /** requestParameters from the CloudTrailEvent JSON, redacted. */
  requestParameters: opt(z.record(z.string(), z.unknown())),
  resources: z.array(z.object({ type: opt(z.string()), name: opt(z.string()) })),
  /** The lookup that found it: `ResourceName=payment-api`, or `ReadOnly=false` for the write-events sweep. */
  matchedBy: z.string(),
});
export type ChangeEvent = z.infer<typeof ChangeEventSchema>;

/** Kinds of resource on a service's path, looked for in CloudTrail (step 10). */
export const PATH_KINDS = [
  "service",
  "task-definition",
  "target-group",
  "load-balancer",
  "security-group",
  "subnet",
  "route-table",
  "nat-gateway",
  "vpc-endpoint",
  "role",
  "secret",
  "kms-key",
  "ecr-repository",
] as const;
export type PathKind = (typeof PATH_KINDS)[number];

/** One resource on the service's path: an ARN, an AWS id (`sg-…`, `rtb-…`) or a name (service, family, role). */
export const PathResourceSchema = z.object({ kind: z.enum(PATH_KINDS), id: z.string() });
export type PathResource = z.infer<typeof PathResourceSchema>;

export const ChangesDataSchema = z.object({
  /**
   * Where the CloudTrail lookups started: the window's `since` minus max(window length, 6 h), never more than
   * 90 days back (CloudTrail's reach). The change that caused an outage usually happened before it showed.
   */
  lookupSince: Timestamp,
  lookups: z.array(
    z.object({
      attributeKey: z.string(),
      attributeValue: z.string(),
      events: z.number().int(),
      truncated: z.boolean(),
      error: opt(StepErrorSchema),
    }),
  ),
  /**
   * Write calls, and any call that failed (`errorCode` set, read-only ones included: a denied GetSecretValue is
   * evidence), de-duplicated by eventId, newest first.
   */
  events: z.array(ChangeEventSchema),
  /**
   * The resources on the service's path the collector knew (route tables, NAT gateways, VPC endpoints included);
   * the sweep's events were kept when they touch one. Absent in snapshots from before the sweep: the diagnosis
   * then derives the path from the other steps' evidence alone.
   */
  path: opt(z.array(PathResourceSchema)),
  /**
   * Set while the lookups are still running: the report went out without them (`events` is empty) and is
   * updated when they finish. A snapshot with it is valid and re-diagnosable ("recent changes: still reading").
   */
  pending: opt(z.object({ startedAt: Timestamp })),
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
