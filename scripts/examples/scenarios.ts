/**
 * Example incidents for `npm run demo`, as the AWS estate each one happened in.
 *
 * A scenario is not a snapshot: it is what ECS, ELBv2, EC2, CloudWatch Logs, ECR, CloudTrail and CloudWatch would
 * answer, shaped exactly like the SDK's responses (Dates as Date, optional fields absent unless AWS sends them).
 * `record.ts` serves it to the real collectors through aws-sdk-client-mock, so `examples/*.json` is collector output
 * by construction. Every id, time and count is derived from the scenario's own clock and seeds: no randomness,
 * no wall time, and the numbers agree across APIs (a task stopped in DescribeTasks is the target that drained, the
 * stream that went quiet, the event that says so).
 *
 * Wordings are AWS's own: service events as ECS writes them ("(service payment-api) (task …) (port 8080) is
 * unhealthy in (target-group …) due to (reason …).", "rolling back to deployment ecs-svc/…."), stopped reasons as
 * DescribeTasks returns them, target-health reason codes and descriptions as ELBv2 returns them.
 */
import { createHash } from "node:crypto";
import type { Event as TrailEvent } from "@aws-sdk/client-cloudtrail";
import type { SecurityGroup, Subnet } from "@aws-sdk/client-ec2";
import type { ImageDetail, Repository } from "@aws-sdk/client-ecr";
import type {
  CapacityProviderStrategyItem,
  ContainerDefinition,
  DeploymentConfiguration,
  Deployment,
  KeyValuePair,
  Secret,
  Service,
  ServiceDeployment,
  ServiceEvent,
  ServiceRevision,
  Task,
  TaskDefinition,
  TaskStopCode,
} from "@aws-sdk/client-ecs";
import type { LoadBalancer, TargetGroup, TargetHealthDescription } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { OutputLogEvent } from "@aws-sdk/client-cloudwatch-logs";
import {
  ACCOUNT,
  CLUSTER,
  CLUSTER_ARN,
  EXECUTION_ROLE_ARN,
  LOAD_BALANCER_ARN,
  REGION,
  SERVICE,
  SERVICE_ARN,
  TARGET_GROUP_ARN,
  TASK_DEF_ARN,
  TASK_ROLE_ARN,
  sdkTargetGroup,
} from "../../test/fixtures/aws";

// ── the model record.ts serves ──────────────────────────────────────────────────────────────────

/** DESIGN.md §4: the finding an on-call engineer should get first. */
export type SymptomId =
  | "subnet_ip_exhaustion"
  | "capacity_unavailable"
  | "image_pull_failure"
  | "registry_auth_or_network"
  | "secret_access_denied"
  | "oom_killed"
  | "app_crash"
  | "container_health_check_failed"
  | "elb_health_check_failed"
  | "spot_interruption"
  | "deployment_failed"
  | "iam_task_role_denied"
  | "normal"
  | "other"
  | "port_mismatch"
  | "security_group_blocks_traffic"
  | "image_not_found"
  | "mutable_image_tag"
  | "secret_not_readable"
  | "subnet_ip_low"
  | "health_check_misconfigured"
  | "recent_change";

/** The CloudWatch series the saturation step asks for, by the id suffix it gives them. */
export type MetricSeries = "cpu_avg" | "cpu_max" | "mem_avg" | "mem_max" | "rpt" | "p95" | "5xx";

/**
 * A metric's value for the period that starts `minutesAgo` minutes before the scenario's clock; `undefined` when
 * CloudWatch has no datapoint (ALB count metrics are not published for periods with nothing to count).
 */
export type MetricModel = (series: MetricSeries, minutesAgo: number) => number | undefined;

/** Everything AWS knows in one scenario, as the SDK returns it. */
export interface AwsWorld {
  /** DescribeTaskDefinition answers (by ARN or `family:revision`). */
  readonly taskDefinitions: readonly TaskDefinition[];
  /** DescribeTasks answers; ListTasks lists them by `desiredStatus`. */
  readonly tasks: readonly Task[];
  readonly serviceDeployments: readonly ServiceDeployment[];
  readonly serviceRevisions: readonly ServiceRevision[];
  readonly targetGroups: readonly TargetGroup[];
  /** DescribeTargetHealth, per target-group ARN. */
  readonly targetHealth: Readonly<Record<string, readonly TargetHealthDescription[]>>;
  readonly loadBalancers: readonly LoadBalancer[];
  readonly subnets: readonly Subnet[];
  readonly securityGroups: readonly SecurityGroup[];
  /** CloudWatch Logs: log group → stream → events, oldest first. A stream not listed does not exist. */
  readonly logGroups: Readonly<Record<string, Readonly<Record<string, readonly OutputLogEvent[]>>>>;
  /** ECR: each repository and the images in it. */
  readonly ecr: readonly { readonly repository: Repository; readonly images: readonly ImageDetail[] }[];
  /** CloudTrail management events; LookupEvents finds one by any of its `Resources[].ResourceName`. */
  readonly cloudTrail: readonly TrailEvent[];
  readonly metrics: MetricModel;
}

export interface Scenario {
  /** File name in `examples/` (without `.json`). */
  readonly name: string;
  /** The incident in a sentence or three. */
  readonly description: string;
  /** What the diagnosis should lead with: the symptom id and one sentence for the on-call engineer. */
  readonly primary: { readonly symptom: SymptomId; readonly finding: string };
  /** "Now": the fixed clock the collectors run with. */
  readonly clock: string;
  /** The diagnosis window (`--since 1h`). */
  readonly window: { readonly since: string; readonly until: string };
  /** DescribeServices' answer for the service, events and deployments included. */
  readonly service: Service;
  readonly aws: AwsWorld;
}

// ── deterministic ids ─────────────────────────────────────────────────────────────────────────────

const sha256 = (seed: string) => createHash("sha256").update(seed).digest("hex");

function hexOf(seed: string, length: number): string {
  let out = "";
  for (let i = 0; out.length < length; i++) out += sha256(`${seed}#${i}`);
  return out.slice(0, length);
}

/** Decimal digits, first one non-zero (ECS deployment ids, CloudWatch event ids). */
function digitsOf(seed: string, length: number): string {
  const hex = hexOf(seed, length);
  let out = "";
  for (let i = 0; i < length; i++) out += (parseInt(hex[i]!, 16) % 10).toString();
  return out.replace(/^0/, "7");
}

function uuidOf(seed: string): string {
  const h = sha256(seed);
  const variant = "89ab"[parseInt(h[16]!, 16) % 4]!;
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A value in [-1, 1), the same for the same seed. */
function noise(seed: string): number {
  return (parseInt(sha256(seed).slice(0, 8), 16) / 0x1_0000_0000) * 2 - 1;
}

/** The digest ECR reports for an image, the same in every scenario (one build, one digest). */
export const digestOf = (tag: string) => `sha256:${sha256(`payment-api image ${tag}`)}`;

const round = (value: number, decimals: number) => Number(value.toFixed(decimals));
const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));

// ── the estate every scenario shares ───────────────────────────────────────────────────────────

const VPC_ID = "vpc-0a1b2c3d4e5f60000";
const TASK_SG = "sg-0c7d9e1f2a3b4c5d6";
const ALB_SG = "sg-04e5f6a7b8c9d0e1f";
const LOG_GROUP = "/ecs/payment-api";
const REPOSITORY = "payment-api";
const IMAGE = (tag: string) => `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${REPOSITORY}:${tag}`;
const SECRET_DB = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:prod/payment-api/db-AbCdEf`;
const PARAM_STRIPE = `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/prod/payment-api/stripe-api-key`;
/** ALB nodes in the public subnets: the source of every health check. */
const ALB_NODE_IPS = ["10.0.101.57", "10.0.102.183"] as const;

interface SubnetSpec {
  readonly id: string;
  readonly az: string;
  readonly azId: string;
  readonly cidr: string;
  /** AvailableIpAddressCount at the scenario's clock. */
  readonly free: number;
}

const PRIVATE_SUBNETS: readonly SubnetSpec[] = [
  { id: "subnet-0a1b2c3d4e5f60001", az: "us-east-1a", azId: "use1-az4", cidr: "10.0.1.0/24", free: 231 },
  { id: "subnet-0a1b2c3d4e5f60002", az: "us-east-1b", azId: "use1-az6", cidr: "10.0.2.0/24", free: 228 },
];

/** Subnet ids and their free IPs: the same two subnets, or others the scenario names. */
function subnetsFrom(specs: readonly SubnetSpec[]): Subnet[] {
  return specs.map((s, i) => ({
    AvailabilityZone: s.az,
    AvailabilityZoneId: s.azId,
    AvailableIpAddressCount: s.free,
    CidrBlock: s.cidr,
    DefaultForAz: false,
    MapPublicIpOnLaunch: false,
    MapCustomerOwnedIpOnLaunch: false,
    State: "available",
    SubnetId: s.id,
    VpcId: VPC_ID,
    OwnerId: ACCOUNT,
    AssignIpv6AddressOnCreation: false,
    Ipv6CidrBlockAssociationSet: [],
    Tags: [{ Key: "Name", Value: `prod-private-${s.az}${i > 1 ? `-${i}` : ""}` }],
    SubnetArn: `arn:aws:ec2:${REGION}:${ACCOUNT}:subnet/${s.id}`,
    EnableDns64: false,
    Ipv6Native: false,
    PrivateDnsNameOptionsOnLaunch: {
      HostnameType: "ip-name",
      EnableResourceNameDnsARecord: false,
      EnableResourceNameDnsAAAARecord: false,
    },
  }));
}

/** The task SG admits the ALB on `taskPort` only; the ALB admits the internet on 80 and 443. */
function securityGroups(taskPort: number): SecurityGroup[] {
  const allEgress = [
    { IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [] },
  ];
  return [
    {
      GroupId: TASK_SG,
      GroupName: "payment-api-tasks",
      Description: "payment-api Fargate tasks",
      VpcId: VPC_ID,
      OwnerId: ACCOUNT,
      IpPermissions: [
        {
          IpProtocol: "tcp",
          FromPort: taskPort,
          ToPort: taskPort,
          UserIdGroupPairs: [{ GroupId: ALB_SG, UserId: ACCOUNT, Description: "from prod-alb" }],
          IpRanges: [],
          Ipv6Ranges: [],
          PrefixListIds: [],
        },
      ],
      IpPermissionsEgress: allEgress,
      Tags: [{ Key: "Name", Value: "payment-api-tasks" }],
      SecurityGroupArn: `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/${TASK_SG}`,
    },
    {
      GroupId: ALB_SG,
      GroupName: "prod-alb",
      Description: "prod-alb public listeners",
      VpcId: VPC_ID,
      OwnerId: ACCOUNT,
      IpPermissions: [443, 80].map((port) => ({
        IpProtocol: "tcp",
        FromPort: port,
        ToPort: port,
        IpRanges: [{ CidrIp: "0.0.0.0/0" }],
        Ipv6Ranges: [{ CidrIpv6: "::/0" }],
        PrefixListIds: [],
        UserIdGroupPairs: [],
      })),
      IpPermissionsEgress: allEgress,
      Tags: [{ Key: "Name", Value: "prod-alb" }],
      SecurityGroupArn: `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/${ALB_SG}`,
    },
  ];
}

const LOAD_BALANCERS: LoadBalancer[] = [
  {
    LoadBalancerArn: LOAD_BALANCER_ARN,
    DNSName: "prod-alb-1520937766.us-east-1.elb.amazonaws.com",
    CanonicalHostedZoneId: "Z35SXDOTRQ7X7K",
    CreatedTime: new Date("2025-03-04T10:22:41.380Z"),
    LoadBalancerName: "prod-alb",
    Scheme: "internet-facing",
    VpcId: VPC_ID,
    State: { Code: "active" },
    Type: "application",
    AvailabilityZones: [
      { ZoneName: "us-east-1a", SubnetId: "subnet-0a1b2c3d4e5f60101", LoadBalancerAddresses: [] },
      { ZoneName: "us-east-1b", SubnetId: "subnet-0a1b2c3d4e5f60102", LoadBalancerAddresses: [] },
    ],
    SecurityGroups: [ALB_SG],
    IpAddressType: "ipv4",
  },
];

/** The shared fixture factory: the examples and the unit tests describe the same target group. */
const targetGroup = sdkTargetGroup;

function repository(mutability: "IMMUTABLE" | "MUTABLE"): Repository {
  return {
    repositoryArn: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${REPOSITORY}`,
    registryId: ACCOUNT,
    repositoryName: REPOSITORY,
    repositoryUri: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${REPOSITORY}`,
    createdAt: new Date("2025-03-04T09:51:12.000Z"),
    imageTagMutability: mutability,
    imageScanningConfiguration: { scanOnPush: true },
    encryptionConfiguration: { encryptionType: "AES256" },
  };
}

function imageDetail(tag: string, pushedAt: string, sizeMb: number): ImageDetail {
  return {
    registryId: ACCOUNT,
    repositoryName: REPOSITORY,
    imageDigest: digestOf(tag),
    imageTags: [tag],
    imageSizeInBytes: Math.round(sizeMb * 1024 * 1024),
    imagePushedAt: new Date(pushedAt),
    imageManifestMediaType: "application/vnd.oci.image.manifest.v1+json",
    artifactMediaType: "application/vnd.oci.image.config.v1+json",
  };
}

// ── one incident's clock and ids ─────────────────────────────────────────────────────────────────

/** A scenario's clock and id factory: every id is a hash of the scenario name and a key. */
class Incident {
  readonly nowMs: number;
  private readonly usedIps = new Set<string>();

  constructor(
    readonly name: string,
    readonly now: string,
  ) {
    this.nowMs = Date.parse(now);
  }

  /** `HH:MM:SS` on the scenario's day (UTC), or a full ISO time. */
  at(time: string): Date {
    return new Date(time.includes("T") ? time : `${this.now.slice(0, 10)}T${time}Z`);
  }

  window(hours = 1) {
    return { since: new Date(this.nowMs - hours * 3_600_000).toISOString().replace(/\.\d{3}Z$/, "Z"), until: this.now };
  }

  taskId(key: string): string {
    return hexOf(`${this.name}/task/${key}`, 32);
  }

  uuid(key: string): string {
    return uuidOf(`${this.name}/${key}`);
  }

  deploymentId(key: string): string {
    return `ecs-svc/${digitsOf(`${this.name}/deployment/${key}`, 19)}`;
  }

  serviceDeploymentArn(key: string): string {
    const id = createHash("sha256").update(`${this.name}/sd/${key}`).digest("base64url").slice(0, 21);
    return `arn:aws:ecs:${REGION}:${ACCOUNT}:service-deployment/${CLUSTER}/${SERVICE}/${id}`;
  }

  serviceRevisionArn(key: string): string {
    return `arn:aws:ecs:${REGION}:${ACCOUNT}:service-revision/${CLUSTER}/${SERVICE}/${digitsOf(`${this.name}/rev/${key}`, 19)}`;
  }

  /** A free host address in the subnet, stable for the key. */
  ip(subnet: SubnetSpec, key: string): string {
    const [base, bits] = subnet.cidr.split("/") as [string, string];
    const octets = base.split(".").map(Number);
    const size = 2 ** (32 - Number(bits));
    const first = 4; // AWS reserves the first four and the last address of every subnet.
    const usable = size - first - 1;
    let index = parseInt(sha256(`${this.name}/ip/${key}`).slice(0, 8), 16) % usable;
    for (;;) {
      const host = (octets[3] ?? 0) + first + index;
      const ip = `${octets[0]}.${octets[1]}.${(octets[2] ?? 0) + Math.floor(host / 256)}.${host % 256}`;
      if (!this.usedIps.has(ip)) {
        this.usedIps.add(ip);
        return ip;
      }
      index = (index + 1) % usable;
    }
  }
}

const plus = (date: Date, seconds: number) => new Date(date.getTime() + seconds * 1000);
const minutesBetween = (from: Date, to: Date) => (to.getTime() - from.getTime()) / 60_000;

// ── task definitions ─────────────────────────────────────────────────────────────────────────────

interface TaskDefinitionSpec {
  readonly revision: number;
  readonly registeredAt: string;
  readonly registeredBy?: string;
  readonly imageTag: string;
  readonly cpu?: string;
  readonly memory?: string;
  readonly containerPort?: number;
  readonly environment?: readonly KeyValuePair[];
  readonly secrets?: readonly Secret[];
}

const GITHUB_ACTIONS_ARN = `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/github-actions`;

function taskDefinition(spec: TaskDefinitionSpec): TaskDefinition {
  const port = spec.containerPort ?? 8080;
  const container: ContainerDefinition = {
    name: "app",
    image: IMAGE(spec.imageTag),
    cpu: 0,
    portMappings: [
      { containerPort: port, hostPort: port, protocol: "tcp", name: `app-${port}-tcp`, appProtocol: "http" },
    ],
    essential: true,
    environment: [
      { name: "NODE_ENV", value: "production" },
      { name: "PORT", value: String(port) },
      { name: "LOG_LEVEL", value: "info" },
      ...(spec.environment ?? []),
    ],
    environmentFiles: [],
    mountPoints: [],
    volumesFrom: [],
    secrets: [
      ...(spec.secrets ?? [
        { name: "DB_PASSWORD", valueFrom: SECRET_DB },
        { name: "STRIPE_API_KEY", valueFrom: PARAM_STRIPE },
      ]),
    ],
    logConfiguration: {
      logDriver: "awslogs",
      options: {
        "awslogs-group": LOG_GROUP,
        "awslogs-region": REGION,
        "awslogs-stream-prefix": "ecs",
        "awslogs-create-group": "true",
      },
      secretOptions: [],
    },
    systemControls: [],
  };
  return {
    taskDefinitionArn: TASK_DEF_ARN(spec.revision),
    containerDefinitions: [container],
    family: SERVICE,
    taskRoleArn: TASK_ROLE_ARN,
    executionRoleArn: EXECUTION_ROLE_ARN,
    networkMode: "awsvpc",
    revision: spec.revision,
    volumes: [],
    status: "ACTIVE",
    requiresAttributes: [
      { name: "com.amazonaws.ecs.capability.logging-driver.awslogs" },
      { name: "ecs.capability.execution-role-awslogs" },
      { name: "com.amazonaws.ecs.capability.ecr-auth" },
      { name: "ecs.capability.secrets.asm.environment-variables" },
      { name: "ecs.capability.secrets.ssm.environment-variables" },
      { name: "com.amazonaws.ecs.capability.task-iam-role" },
      { name: "ecs.capability.execution-role-ecr-pull" },
      { name: "ecs.capability.task-eni" },
    ],
    placementConstraints: [],
    compatibilities: ["EC2", "FARGATE"],
    runtimePlatform: { cpuArchitecture: "X86_64", operatingSystemFamily: "LINUX" },
    requiresCompatibilities: ["FARGATE"],
    cpu: spec.cpu ?? "512",
    memory: spec.memory ?? "1024",
    registeredAt: new Date(spec.registeredAt),
    registeredBy: spec.registeredBy ?? GITHUB_ACTIONS_ARN,
  };
}

/** RegisterTaskDefinition's requestParameters as CloudTrail records them: what the caller sent. */
function registerParameters(td: TaskDefinition): Record<string, unknown> {
  return {
    family: td.family,
    taskRoleArn: td.taskRoleArn,
    executionRoleArn: td.executionRoleArn,
    networkMode: td.networkMode,
    containerDefinitions: (td.containerDefinitions ?? []).map((c) => ({
      name: c.name,
      image: c.image,
      cpu: c.cpu,
      portMappings: c.portMappings,
      essential: c.essential,
      environment: c.environment,
      secrets: c.secrets,
      logConfiguration: { logDriver: c.logConfiguration?.logDriver, options: c.logConfiguration?.options },
    })),
    requiresCompatibilities: td.requiresCompatibilities,
    cpu: td.cpu,
    memory: td.memory,
    runtimePlatform: td.runtimePlatform,
  };
}

// ── tasks ────────────────────────────────────────────────────────────────────────────────────────

interface StopSpec {
  readonly at: Date;
  readonly code: TaskStopCode;
  readonly reason: string;
  readonly exitCode?: number;
  readonly containerReason?: string;
  /** Seconds between STOPPING and STOPPED (ENI clean-up, deregistration delay). @default 25 */
  readonly stoppingFor?: number;
}

interface TaskSpec {
  readonly key: string;
  readonly revision: number;
  readonly deployment: string;
  readonly createdAt: Date;
  readonly subnet: SubnetSpec;
  /** False when no ENI was ever attached (the task never got an IP). @default true */
  readonly gotIp?: boolean;
  readonly imageTag: string;
  /** Seconds after creation the image pull started and stopped; `stopped` absent when it never finished. */
  readonly pull?: { readonly started: number; readonly stopped?: number };
  /** Seconds after creation the container started. */
  readonly startedAfter?: number;
  /** For tasks still wanted: where they are in their life. */
  readonly lastStatus?: "PROVISIONING" | "PENDING" | "ACTIVATING" | "RUNNING";
  readonly stop?: StopSpec;
  readonly capacityProvider?: "FARGATE" | "FARGATE_SPOT";
  readonly cpu?: string;
  readonly memory?: string;
}

function fargateTask(inc: Incident, spec: TaskSpec): Task {
  const id = inc.taskId(spec.key);
  const taskArn = `arn:aws:ecs:${REGION}:${ACCOUNT}:task/${CLUSTER}/${id}`;
  const ip = spec.gotIp === false ? undefined : inc.ip(spec.subnet, spec.key);
  const attachmentId = inc.uuid(`attachment/${spec.key}`);
  const pulled = spec.pull?.stopped !== undefined;
  const started = spec.startedAfter !== undefined ? plus(spec.createdAt, spec.startedAfter) : undefined;
  const stop = spec.stop;
  const lastStatus = stop ? "STOPPED" : (spec.lastStatus ?? "RUNNING");
  const eniHex = hexOf(`${inc.name}/eni/${spec.key}`, 17);
  const details = [
    { name: "subnetId", value: spec.subnet.id },
    ...(ip
      ? [
          { name: "networkInterfaceId", value: `eni-${eniHex}` },
          { name: "macAddress", value: `0e:${eniHex.slice(0, 10).replace(/(..)(?!$)/g, "$1:")}` },
          { name: "privateDnsName", value: `ip-${ip.replaceAll(".", "-")}.ec2.internal` },
          { name: "privateIPv4Address", value: ip },
        ]
      : []),
  ];
  const attachmentStatus = stop ? "DELETED" : lastStatus === "PROVISIONING" ? "PRECREATED" : "ATTACHED";
  const containerStatus = stop ? "STOPPED" : lastStatus === "RUNNING" ? "RUNNING" : "PENDING";
  return {
    attachments: [{ id: attachmentId, type: "ElasticNetworkInterface", status: attachmentStatus, details }],
    attributes: [{ name: "ecs.cpu-architecture", value: "x86_64" }],
    availabilityZone: spec.subnet.az,
    ...(spec.capacityProvider ? { capacityProviderName: spec.capacityProvider } : {}),
    clusterArn: CLUSTER_ARN,
    ...(started ? { connectivity: "CONNECTED" as const, connectivityAt: plus(spec.createdAt, 6) } : {}),
    containers: [
      {
        containerArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:container/${CLUSTER}/${id}/${inc.uuid(`container/${spec.key}`)}`,
        taskArn,
        name: "app",
        image: IMAGE(spec.imageTag),
        ...(pulled ? { imageDigest: digestOf(spec.imageTag) } : {}),
        ...(started ? { runtimeId: `${id}-${digitsOf(`${inc.name}/runtime/${spec.key}`, 10)}` } : {}),
        lastStatus: containerStatus,
        ...(stop?.exitCode !== undefined ? { exitCode: stop.exitCode } : {}),
        ...(stop?.containerReason !== undefined ? { reason: stop.containerReason } : {}),
        networkBindings: [],
        networkInterfaces: ip ? [{ attachmentId, privateIpv4Address: ip }] : [],
        healthStatus: "UNKNOWN",
        cpu: "0",
      },
    ],
    cpu: spec.cpu ?? "512",
    createdAt: spec.createdAt,
    desiredStatus: stop ? "STOPPED" : "RUNNING",
    enableExecuteCommand: false,
    group: `service:${SERVICE}`,
    healthStatus: "UNKNOWN",
    lastStatus,
    launchType: "FARGATE",
    memory: spec.memory ?? "1024",
    overrides: { containerOverrides: [{ name: "app" }], inferenceAcceleratorOverrides: [] },
    platformVersion: "1.4.0",
    platformFamily: "Linux",
    ...(spec.pull ? { pullStartedAt: plus(spec.createdAt, spec.pull.started) } : {}),
    ...(spec.pull?.stopped !== undefined ? { pullStoppedAt: plus(spec.createdAt, spec.pull.stopped) } : {}),
    ...(started ? { startedAt: started } : {}),
    startedBy: spec.deployment,
    ...(stop
      ? {
          stopCode: stop.code,
          stoppedReason: stop.reason,
          stoppingAt: plus(stop.at, -(stop.stoppingFor ?? 25)),
          executionStoppedAt: plus(stop.at, -(stop.stoppingFor ?? 25) + 2),
          stoppedAt: stop.at,
        }
      : {}),
    tags: [],
    taskArn,
    taskDefinitionArn: TASK_DEF_ARN(spec.revision),
    version: stop ? 5 : lastStatus === "RUNNING" ? 3 : 2,
    ephemeralStorage: { sizeInGiB: 20 },
  };
}

/** A task that started normally (pull ~20 s, start ~25 s after creation). */
const healthyLife = { pull: { started: 9, stopped: 21 }, startedAfter: 25 } as const;

const taskIdOf = (task: Task) => task.taskArn!.slice(task.taskArn!.lastIndexOf("/") + 1);
const ipOf = (task: Task) => task.containers?.[0]?.networkInterfaces?.[0]?.privateIpv4Address ?? "";
const streamOf = (task: Task) => `ecs/app/${taskIdOf(task)}`;

// ── the service, its deployments and events ─────────────────────────────────────────────────────

function network(subnets: readonly SubnetSpec[]) {
  return {
    awsvpcConfiguration: {
      subnets: subnets.map((s) => s.id),
      securityGroups: [TASK_SG],
      assignPublicIp: "DISABLED" as const,
    },
  };
}

interface DeploymentSpec {
  readonly id: string;
  readonly status: "PRIMARY" | "ACTIVE";
  readonly revision: number;
  readonly desiredCount: number;
  readonly failedTasks?: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly rolloutState: "IN_PROGRESS" | "COMPLETED" | "FAILED";
  readonly rolloutStateReason?: string;
  readonly capacityProviderStrategy?: readonly CapacityProviderStrategyItem[];
}

/** A DescribeServices deployment; its running and pending counts are counted from the tasks it started. */
function deployment(spec: DeploymentSpec, tasks: readonly Task[], subnets: readonly SubnetSpec[]): Deployment {
  const mine = tasks.filter((t) => t.startedBy === spec.id && t.desiredStatus === "RUNNING");
  return {
    id: spec.id,
    status: spec.status,
    taskDefinition: TASK_DEF_ARN(spec.revision),
    desiredCount: spec.desiredCount,
    pendingCount: mine.filter((t) => t.lastStatus !== "RUNNING").length,
    runningCount: mine.filter((t) => t.lastStatus === "RUNNING").length,
    failedTasks: spec.failedTasks ?? 0,
    createdAt: spec.createdAt,
    updatedAt: spec.updatedAt,
    ...(spec.capacityProviderStrategy
      ? { capacityProviderStrategy: [...spec.capacityProviderStrategy] }
      : { launchType: "FARGATE" as const }),
    platformVersion: "1.4.0",
    platformFamily: "Linux",
    networkConfiguration: network(subnets),
    rolloutState: spec.rolloutState,
    rolloutStateReason:
      spec.rolloutStateReason ??
      (spec.rolloutState === "COMPLETED"
        ? `ECS deployment ${spec.id} completed.`
        : `ECS deployment ${spec.id} in progress.`),
  };
}

interface ServiceSpec {
  readonly desiredCount: number;
  readonly revision: number;
  readonly deployments: readonly DeploymentSpec[];
  readonly events: readonly ServiceEvent[];
  readonly tasks: readonly Task[];
  readonly subnets?: readonly SubnetSpec[];
  readonly containerPort?: number;
  readonly maximumPercent?: number;
  readonly circuitBreaker?: { readonly enable: boolean; readonly rollback: boolean };
  readonly capacityProviderStrategy?: readonly CapacityProviderStrategyItem[];
  readonly healthCheckGracePeriodSeconds?: number;
}

function ecsService(spec: ServiceSpec): Service {
  const subnets = spec.subnets ?? PRIVATE_SUBNETS;
  const wanted = spec.tasks.filter((t) => t.desiredStatus === "RUNNING");
  const deploymentConfiguration: DeploymentConfiguration = {
    deploymentCircuitBreaker: spec.circuitBreaker ?? { enable: true, rollback: true },
    maximumPercent: spec.maximumPercent ?? 200,
    minimumHealthyPercent: 100,
    alarms: { alarmNames: [], enable: false, rollback: false },
  };
  return {
    serviceArn: SERVICE_ARN,
    serviceName: SERVICE,
    clusterArn: CLUSTER_ARN,
    loadBalancers: [
      { targetGroupArn: TARGET_GROUP_ARN, containerName: "app", containerPort: spec.containerPort ?? 8080 },
    ],
    serviceRegistries: [],
    status: "ACTIVE",
    desiredCount: spec.desiredCount,
    runningCount: wanted.filter((t) => t.lastStatus === "RUNNING").length,
    pendingCount: wanted.filter((t) => t.lastStatus !== "RUNNING").length,
    ...(spec.capacityProviderStrategy
      ? { capacityProviderStrategy: [...spec.capacityProviderStrategy] }
      : { launchType: "FARGATE" as const }),
    platformVersion: "LATEST",
    platformFamily: "Linux",
    taskDefinition: TASK_DEF_ARN(spec.revision),
    deploymentConfiguration,
    deployments: spec.deployments.map((d) => deployment(d, spec.tasks, subnets)),
    roleArn: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS`,
    // DescribeServices returns the newest 100 events, newest first.
    events: [...spec.events].sort((a, b) => b.createdAt!.getTime() - a.createdAt!.getTime()).slice(0, 100),
    createdAt: new Date("2025-03-04T10:40:17.902Z"),
    placementConstraints: [],
    placementStrategy: [],
    networkConfiguration: network(subnets),
    healthCheckGracePeriodSeconds: spec.healthCheckGracePeriodSeconds ?? 60,
    schedulingStrategy: "REPLICA",
    deploymentController: { type: "ECS" },
    createdBy: `arn:aws:iam::${ACCOUNT}:role/deployer`,
    enableECSManagedTags: true,
    propagateTags: "NONE",
    enableExecuteCommand: false,
    availabilityZoneRebalancing: "ENABLED",
  };
}

/** Service events, written exactly as ECS writes them. */
class Events {
  readonly list: ServiceEvent[] = [];
  constructor(private readonly inc: Incident) {}

  add(at: Date, message: string): this {
    this.list.push({ id: this.inc.uuid(`event/${at.toISOString()}/${message}`), createdAt: at, message });
    return this;
  }

  steadyState(at: Date) {
    return this.add(at, `(service ${SERVICE}) has reached a steady state.`);
  }
  started(at: Date, tasks: readonly Task[], replacedUnhealthy = false) {
    const ids = tasks.map((t) => `(task ${taskIdOf(t)})`).join(" ");
    const replaced = replacedUnhealthy ? ` Amazon ECS replaced ${tasks.length} tasks due to an unhealthy status.` : "";
    return this.add(at, `(service ${SERVICE}) has started ${tasks.length} tasks: ${ids}.${replaced}`);
  }
  stopped(at: Date, tasks: readonly Task[]) {
    return this.add(
      at,
      `(service ${SERVICE}) has stopped ${tasks.length} running tasks: ${tasks.map((t) => `(task ${taskIdOf(t)})`).join(" ")}.`,
    );
  }
  registered(at: Date, count: number) {
    return this.add(at, `(service ${SERVICE}) registered ${count} targets in (target-group ${TARGET_GROUP_ARN})`);
  }
  deregistered(at: Date, count: number) {
    return this.add(at, `(service ${SERVICE}) deregistered ${count} targets in (target-group ${TARGET_GROUP_ARN})`);
  }
  draining(at: Date, count: number) {
    return this.add(at, `(service ${SERVICE}) has begun draining connections on ${count} tasks.`);
  }
  unhealthy(at: Date, task: Task, port: number, reason: string) {
    return this.add(
      at,
      `(service ${SERVICE}) (task ${taskIdOf(task)}) (port ${port}) is unhealthy in (target-group ${TARGET_GROUP_ARN}) due to (reason ${reason}).`,
    );
  }
  cannotStartConsistently(at: Date) {
    return this.add(at, `(service ${SERVICE}) is unable to consistently start tasks successfully.`);
  }
  unableToPlace(at: Date, reason: string) {
    return this.add(at, `(service ${SERVICE}) was unable to place a task. Reason: ${reason}`);
  }
  deploymentCompleted(at: Date, id: string) {
    return this.add(at, `(service ${SERVICE}) (deployment ${id}) deployment completed.`);
  }
}

interface RevisionSpec {
  readonly key: string;
  readonly revision: number;
  readonly imageTag: string;
  readonly createdAt: Date;
  readonly containerPort?: number;
}

function serviceRevision(inc: Incident, spec: RevisionSpec): ServiceRevision {
  return {
    serviceRevisionArn: inc.serviceRevisionArn(spec.key),
    serviceArn: SERVICE_ARN,
    clusterArn: CLUSTER_ARN,
    taskDefinition: TASK_DEF_ARN(spec.revision),
    launchType: "FARGATE",
    platformVersion: "1.4.0",
    platformFamily: "Linux",
    loadBalancers: [
      { targetGroupArn: TARGET_GROUP_ARN, containerName: "app", containerPort: spec.containerPort ?? 8080 },
    ],
    serviceRegistries: [],
    networkConfiguration: network(PRIVATE_SUBNETS),
    containerImages: [{ containerName: "app", imageDigest: digestOf(spec.imageTag), image: IMAGE(spec.imageTag) }],
    guardDutyEnabled: false,
    createdAt: spec.createdAt,
  };
}

interface ServiceDeploymentSpec {
  readonly key: string;
  readonly createdAt: Date;
  readonly finishedAt?: Date;
  readonly status: NonNullable<ServiceDeployment["status"]>;
  readonly statusReason?: string;
  readonly source?: { readonly revision: ServiceRevision; readonly running: number };
  readonly target: {
    readonly revision: ServiceRevision;
    readonly requested: number;
    readonly running: number;
    readonly pending?: number;
  };
  readonly circuitBreaker: NonNullable<ServiceDeployment["deploymentCircuitBreaker"]>;
  readonly rollback?: NonNullable<ServiceDeployment["rollback"]>;
  readonly maximumPercent?: number;
}

function serviceDeployment(inc: Incident, spec: ServiceDeploymentSpec): ServiceDeployment {
  return {
    serviceDeploymentArn: inc.serviceDeploymentArn(spec.key),
    serviceArn: SERVICE_ARN,
    clusterArn: CLUSTER_ARN,
    createdAt: spec.createdAt,
    startedAt: plus(spec.createdAt, 1),
    ...(spec.finishedAt ? { finishedAt: spec.finishedAt } : {}),
    updatedAt: spec.finishedAt ?? plus(spec.createdAt, 2),
    sourceServiceRevisions: spec.source
      ? [
          {
            arn: spec.source.revision.serviceRevisionArn,
            requestedTaskCount: 0,
            runningTaskCount: spec.source.running,
            pendingTaskCount: 0,
          },
        ]
      : [],
    targetServiceRevision: {
      arn: spec.target.revision.serviceRevisionArn,
      requestedTaskCount: spec.target.requested,
      runningTaskCount: spec.target.running,
      pendingTaskCount: spec.target.pending ?? 0,
    },
    status: spec.status,
    ...(spec.statusReason ? { statusReason: spec.statusReason } : {}),
    deploymentConfiguration: {
      deploymentCircuitBreaker: {
        enable: spec.circuitBreaker.status !== "DISABLED",
        rollback: spec.circuitBreaker.status !== "DISABLED",
      },
      maximumPercent: spec.maximumPercent ?? 200,
      minimumHealthyPercent: 100,
      alarms: { alarmNames: [], enable: false, rollback: false },
    },
    ...(spec.rollback ? { rollback: spec.rollback } : {}),
    deploymentCircuitBreaker: spec.circuitBreaker,
    alarms: { status: "DISABLED" },
  };
}

/** ECS's circuit-breaker threshold: half the desired count, at least 3 and at most 200. */
const circuitBreakerThreshold = (desiredCount: number) => clamp(Math.round(desiredCount * 0.5), 3, 200);

// ── target health, logs, CloudTrail ───────────────────────────────────────────────────────────

type TargetState = NonNullable<TargetHealthDescription["TargetHealth"]>;

const HEALTHY: TargetState = { State: "healthy" };
const INITIAL: TargetState = {
  State: "initial",
  Reason: "Elb.InitialHealthChecking",
  Description: "Initial health checks in progress",
};
const DRAINING: TargetState = {
  State: "draining",
  Reason: "Target.DeregistrationInProgress",
  Description: "Target deregistration is in progress",
};

function target(task: Task, port: number, health: TargetState): TargetHealthDescription {
  return {
    Target: { Id: ipOf(task), Port: port, AvailabilityZone: task.availabilityZone },
    HealthCheckPort: String(port),
    TargetHealth: { ...health },
  };
}

/** Log events of one stream: `[seconds after start, message]`, ingested ~0.6 s later. */
function logLines(start: Date, lines: readonly (readonly [number, string])[]): OutputLogEvent[] {
  return lines.map(([seconds, message]) => {
    const timestamp = start.getTime() + Math.round(seconds * 1000);
    return { timestamp, message, ingestionTime: timestamp + 612 };
  });
}

/** Who made a CloudTrail-recorded call. */
interface Actor {
  readonly arn: string;
  readonly principalId: string;
  readonly role: string;
  readonly username: string;
  readonly sourceIPAddress: string;
  readonly userAgent: string;
  readonly invokedBy?: string;
}

const GITHUB_ACTIONS: Actor = {
  arn: GITHUB_ACTIONS_ARN,
  principalId: "AROAEXAMPLEDEPLOYER01:github-actions",
  role: "deployer",
  username: "github-actions",
  sourceIPAddress: "20.84.137.41",
  userAgent: "aws-sdk-js/3.726.1 ua/2.1 os/linux#6.8.0-1017-azure lang/js md/nodejs#20.18.1 api/ecs#3.726.1 m/E,N,e",
};

const PLATFORM_ENGINEER: Actor = {
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_PlatformEngineer_5f2c0e9d6a1b3c47/jane.doe@example.com`,
  principalId: "AROAEXAMPLEPLATFORM01:jane.doe@example.com",
  role: "aws-reserved/sso.amazonaws.com/AWSReservedSSO_PlatformEngineer_5f2c0e9d6a1b3c47",
  username: "jane.doe@example.com",
  sourceIPAddress: "198.51.100.24",
  userAgent:
    "aws-cli/2.22.4 md/awscrt#0.23.4 ua/2.0 os/macos#24.1.0 md/arch#arm64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off",
};

const TERRAFORM: Actor = {
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/terraform-apply/atlantis-7f3c2a`,
  principalId: "AROAEXAMPLETERRAFORM1:atlantis-7f3c2a",
  role: "terraform-apply",
  username: "atlantis-7f3c2a",
  sourceIPAddress: "54.210.12.98",
  userAgent:
    "APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.80.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.6 ua/2.1 os/linux lang/go#1.23.3 md/GOOS#linux md/GOARCH#amd64 api/ecs#1.52.1",
};

const APP_AUTOSCALING: Actor = {
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/AWSServiceRoleForApplicationAutoScaling_ECSService/AutoScaling`,
  principalId: "AROAEXAMPLEAUTOSCALE1:AutoScaling",
  role: "aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService",
  username: "AutoScaling",
  sourceIPAddress: "ecs.application-autoscaling.amazonaws.com",
  userAgent: "ecs.application-autoscaling.amazonaws.com",
  invokedBy: "ecs.application-autoscaling.amazonaws.com",
};

interface TrailSpec {
  readonly key: string;
  readonly eventName: string;
  readonly eventSource: string;
  readonly at: Date;
  readonly actor: Actor;
  readonly requestParameters: Record<string, unknown>;
  readonly responseElements?: Record<string, unknown> | null;
  /** What LookupEvents indexes the event under (its ResourceName lookups). */
  readonly resources: readonly { readonly ResourceType: string; readonly ResourceName: string }[];
}

/** A LookupEvents record with its `CloudTrailEvent` JSON, as CloudTrail writes a management API call. */
function trail(inc: Incident, spec: TrailSpec): TrailEvent {
  const eventId = inc.uuid(`trail/${spec.key}`);
  const accessKeyId = `ASIAEXAMPLE${hexOf(`${inc.name}/akid/${spec.key}`, 9).toUpperCase()}`;
  const eventTime = spec.at.toISOString().replace(/\.\d{3}Z$/, "Z");
  const record = {
    eventVersion: "1.11",
    userIdentity: {
      type: "AssumedRole",
      principalId: spec.actor.principalId,
      arn: spec.actor.arn,
      accountId: ACCOUNT,
      accessKeyId,
      sessionContext: {
        sessionIssuer: {
          type: "Role",
          principalId: spec.actor.principalId.split(":")[0],
          arn: `arn:aws:iam::${ACCOUNT}:role/${spec.actor.role}`,
          accountId: ACCOUNT,
          userName: spec.actor.role.slice(spec.actor.role.lastIndexOf("/") + 1),
        },
        attributes: {
          creationDate: new Date(spec.at.getTime() - 95_000).toISOString().replace(/\.\d{3}Z$/, "Z"),
          mfaAuthenticated: "false",
        },
      },
      ...(spec.actor.invokedBy ? { invokedBy: spec.actor.invokedBy } : {}),
    },
    eventTime,
    eventSource: spec.eventSource,
    eventName: spec.eventName,
    awsRegion: REGION,
    sourceIPAddress: spec.actor.sourceIPAddress,
    userAgent: spec.actor.userAgent,
    requestParameters: spec.requestParameters,
    responseElements: spec.responseElements ?? null,
    requestID: inc.uuid(`trail-request/${spec.key}`),
    eventID: eventId,
    readOnly: false,
    eventType: "AwsApiCall",
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: "Management",
    ...(spec.actor.invokedBy
      ? {}
      : {
          tlsDetails: {
            tlsVersion: "TLSv1.3",
            cipherSuite: "TLS_AES_128_GCM_SHA256",
            clientProvidedHostHeader: `${spec.eventSource.split(".")[0]}.${REGION}.amazonaws.com`,
          },
        }),
  };
  return {
    EventId: eventId,
    EventName: spec.eventName,
    ReadOnly: "false",
    AccessKeyId: accessKeyId,
    EventTime: spec.at,
    EventSource: spec.eventSource,
    Username: spec.actor.username,
    Resources: spec.resources.map((r) => ({ ...r })),
    CloudTrailEvent: JSON.stringify(record),
  };
}

/** The two calls a deploy makes: RegisterTaskDefinition, then UpdateService onto the new revision. */
function deployCalls(
  inc: Incident,
  td: TaskDefinition,
  options: {
    readonly registeredAt: Date;
    readonly updatedAt: Date;
    readonly actor: Actor;
    readonly updateExtras?: Record<string, unknown>;
  },
): TrailEvent[] {
  return [
    trail(inc, {
      key: `register-${td.revision}`,
      eventName: "RegisterTaskDefinition",
      eventSource: "ecs.amazonaws.com",
      at: options.registeredAt,
      actor: options.actor,
      requestParameters: registerParameters(td),
      responseElements: {
        taskDefinition: {
          taskDefinitionArn: td.taskDefinitionArn,
          family: td.family,
          revision: td.revision,
          status: "ACTIVE",
        },
      },
      // CloudTrail names the new task definition by its ARN (what the changes step looks up besides the family).
      resources: [{ ResourceType: "AWS::ECS::TaskDefinition", ResourceName: td.taskDefinitionArn! }],
    }),
    trail(inc, {
      key: `update-${td.revision}`,
      eventName: "UpdateService",
      eventSource: "ecs.amazonaws.com",
      at: options.updatedAt,
      actor: options.actor,
      requestParameters: {
        cluster: CLUSTER,
        service: SERVICE,
        taskDefinition: `${SERVICE}:${td.revision}`,
        forceNewDeployment: false,
        ...options.updateExtras,
      },
      responseElements: {
        service: { serviceArn: SERVICE_ARN, serviceName: SERVICE, taskDefinition: td.taskDefinitionArn },
      },
      resources: [{ ResourceType: "AWS::ECS::Service", ResourceName: SERVICE }],
    }),
  ];
}

// ── metrics ──────────────────────────────────────────────────────────────────────────────────────

/** A steady level with ±`spread` noise that is the same on every run. */
function jitter(inc: Incident, series: string, minutesAgo: number, level: number, spread: number): number {
  return level + spread * noise(`${inc.name}/metric/${series}/${minutesAgo}`);
}

/** An ordinary hour: CPU and memory moderate, steady requests, fast responses, no target 5xx. */
function quietMetrics(inc: Incident, levels: { cpu: number; mem: number; rpt: number; p95: number }): MetricModel {
  return (series, m) => {
    switch (series) {
      case "cpu_avg":
        return round(jitter(inc, series, m, levels.cpu, 2.5), 2);
      case "cpu_max":
        return round(jitter(inc, series, m, levels.cpu + 9, 3.5), 2);
      case "mem_avg":
        return round(jitter(inc, series, m, levels.mem, 0.6), 2);
      case "mem_max":
        return round(jitter(inc, series, m, levels.mem + 3, 0.8), 2);
      case "rpt":
        return Math.round(jitter(inc, series, m, levels.rpt, levels.rpt * 0.06));
      case "p95":
        return round(jitter(inc, series, m, levels.p95, levels.p95 * 0.12), 3);
      case "5xx":
        return undefined;
    }
  };
}

// ── shared pieces of a world ───────────────────────────────────────────────────────────────────

const REPOSITORY_IMAGES = [
  imageDetail("v1.41", "2026-11-06T15:12:40Z", 187.4),
  imageDetail("v1.42", "2026-11-19T13:58:12Z", 188.1),
];

function baseWorld(overrides: Partial<AwsWorld> & Pick<AwsWorld, "taskDefinitions" | "tasks" | "metrics">): AwsWorld {
  return {
    serviceDeployments: [],
    serviceRevisions: [],
    targetGroups: [targetGroup()],
    targetHealth: {},
    loadBalancers: LOAD_BALANCERS,
    subnets: subnetsFrom(PRIVATE_SUBNETS),
    securityGroups: securityGroups(8080),
    logGroups: { [LOG_GROUP]: {} },
    ecr: [{ repository: repository("IMMUTABLE"), images: REPOSITORY_IMAGES }],
    cloudTrail: [],
    ...overrides,
  };
}

/** Tasks of an older, healthy deployment, spread over the service's subnets. */
function steadyTasks(
  inc: Incident,
  count: number,
  o: {
    revision: number;
    deployment: string;
    imageTag: string;
    createdAt: Date;
    prefix?: string;
    subnets?: readonly SubnetSpec[];
    capacityProvider?: "FARGATE" | "FARGATE_SPOT";
    memory?: string;
  },
): Task[] {
  const subnets = o.subnets ?? PRIVATE_SUBNETS;
  return Array.from({ length: count }, (_, i) =>
    fargateTask(inc, {
      key: `${o.prefix ?? "steady"}-${i}`,
      revision: o.revision,
      deployment: o.deployment,
      createdAt: plus(o.createdAt, i * 3 + (i % 2)),
      subnet: subnets[i % subnets.length]!,
      imageTag: o.imageTag,
      ...healthyLife,
      ...(o.capacityProvider ? { capacityProvider: o.capacityProvider } : {}),
      ...(o.memory ? { memory: o.memory } : {}),
    }),
  );
}

/** Older events that DescribeServices still returns (outside the window: counted in `returned`). */
function olderSteadyStates(events: Events, lastAt: Date, count = 4): void {
  for (let i = 0; i < count; i++) events.steadyState(new Date(lastAt.getTime() - i * 6 * 3_600_000 - i * 4_000));
}

// ═════════════════════════════════════════════════════════════════════════════════════════════════
// 1. OOM after a deploy
// ═════════════════════════════════════════════════════════════════════════════════════════════════

function oomAfterDeploy(): Scenario {
  const inc = new Incident("oom-after-deploy", "2026-11-26T10:00:00Z");
  const prevDeployment = inc.deploymentId("v1.42");
  const newDeployment = inc.deploymentId("v1.43");
  const td42 = taskDefinition({
    revision: 42,
    registeredAt: "2026-11-19T14:09:31.402Z",
    imageTag: "v1.42",
    memory: "1024",
    environment: [{ name: "NODE_OPTIONS", value: "--max-old-space-size=768" }],
  });
  const td43 = taskDefinition({
    revision: 43,
    registeredAt: "2026-11-26T09:47:20.118Z",
    imageTag: "v1.43",
    memory: "512",
    environment: [{ name: "NODE_OPTIONS", value: "--max-old-space-size=768" }],
  });

  const old = steadyTasks(inc, 3, {
    revision: 42,
    deployment: prevDeployment,
    imageTag: "v1.42",
    createdAt: inc.at("2026-11-19T14:10:20Z"),
  });
  // Each :43 task starts, warms its rate cache past 512 MiB and is killed by the kernel ~75 s later.
  const attempts: [string, number][] = [
    ["09:48:06", 77],
    ["09:48:06", 92],
    ["09:48:07", 70],
    ["09:50:12", 86],
    ["09:50:20", 88],
    ["09:51:05", 71],
    ["09:53:40", 81],
    ["09:54:10", 83],
    ["09:57:02", 75],
  ];
  const oomKilled = attempts.map(([created, livedSeconds], i) => {
    const createdAt = inc.at(created);
    return fargateTask(inc, {
      key: `v143-${i}`,
      revision: 43,
      deployment: newDeployment,
      createdAt,
      subnet: PRIVATE_SUBNETS[i % 2]!,
      imageTag: "v1.43",
      memory: "512",
      ...healthyLife,
      stop: {
        at: plus(createdAt, 25 + livedSeconds + 24),
        code: "EssentialContainerExited",
        reason: "Essential container in task exited",
        exitCode: 137,
        containerReason: "OutOfMemoryError: Container killed due to memory usage",
        stoppingFor: 24,
      },
    });
  });
  const starting = fargateTask(inc, {
    key: "v143-9",
    revision: 43,
    deployment: newDeployment,
    createdAt: inc.at("09:58:55"),
    subnet: PRIVATE_SUBNETS[1]!,
    imageTag: "v1.43",
    memory: "512",
    ...healthyLife,
  });
  const pulling = fargateTask(inc, {
    key: "v143-10",
    revision: 43,
    deployment: newDeployment,
    createdAt: inc.at("09:59:30"),
    subnet: PRIVATE_SUBNETS[0]!,
    imageTag: "v1.43",
    memory: "512",
    pull: { started: 11 },
    lastStatus: "PENDING",
  });
  const tasks = [...old, ...oomKilled, starting, pulling];

  const events = new Events(inc);
  olderSteadyStates(events, inc.at("07:16:44"));
  events.started(inc.at("09:48:07"), oomKilled.slice(0, 3));
  for (const [i, task] of oomKilled.entries()) {
    if (i >= 3) events.started(task.createdAt!, [task]);
    events.registered(plus(task.startedAt!, 3), 1);
    events.deregistered(plus(task.stoppingAt!, 1), 1);
  }
  events.cannotStartConsistently(inc.at("09:52:45"));
  events
    .started(starting.createdAt!, [starting])
    .registered(plus(starting.startedAt!, 3), 1)
    .started(pulling.createdAt!, [pulling]);

  const log = (task: Task): OutputLogEvent[] =>
    logLines(task.startedAt!, [
      [0.4, "> payment-api@1.43.0 start"],
      [0.4, "> node dist/server.js"],
      [
        1.2,
        "2026-11-26 INFO  payment-api 1.43.0 starting (node v20.18.1, --max-old-space-size=768, container memory 512 MiB)",
      ],
      [
        1.9,
        "INFO  legacy config loader: host=payments-db.cluster-c8x1example.us-east-1.rds.amazonaws.com user=payments password=demo-value-not-a-secret",
      ],
      [2.6, "INFO  listening on 0.0.0.0:8080"],
      [3.1, "INFO  warming FX rate cache: loading 1.2M rates into memory"],
      [15, "INFO  heap used 246 MB, rss 298 MB"],
      [30, "WARN  heap used 361 MB, rss 417 MB (81% of container memory)"],
      [45, "WARN  heap used 438 MB, rss 493 MB (96% of container memory)"],
      [58, "ERROR GC pause 1840 ms while warming FX rate cache; event loop blocked"],
    ]);
  const streams = Object.fromEntries(oomKilled.map((t) => [streamOf(t), log(t)]));

  const deployedAt = inc.at("09:48:00");
  const metrics: MetricModel = (series, m) => {
    const after = m <= 12; // the period starts after UpdateService
    const sinceDeploy = 12 - m;
    const newTaskMemory = 40 + 60 * ((sinceDeploy % 1.5) / 1.5); // each new task climbs to the limit, then is killed
    switch (series) {
      case "cpu_avg":
        return round(jitter(inc, series, m, after ? 28 : 24, 2), 2);
      case "cpu_max":
        return round(jitter(inc, series, m, after ? 51 : 32, after ? 7 : 3), 2);
      case "mem_avg":
        return round(
          after ? (3 * jitter(inc, "old", m, 44, 0.5) + 2 * newTaskMemory) / 5 : jitter(inc, series, m, 44, 0.5),
          2,
        );
      case "mem_max":
        return round(
          after ? Math.max(46, newTaskMemory + jitter(inc, series, m, 0, 1.5)) : jitter(inc, series, m, 46.5, 0.6),
          2,
        );
      case "rpt":
        return Math.round(jitter(inc, series, m, 212, 14));
      case "p95":
        return round(jitter(inc, series, m, after ? 0.094 : 0.087, 0.01), 3);
      case "5xx":
        return undefined;
    }
  };

  const service = ecsService({
    desiredCount: 3,
    revision: 43,
    circuitBreaker: { enable: false, rollback: false },
    tasks,
    events: events.list,
    deployments: [
      {
        id: newDeployment,
        status: "PRIMARY",
        revision: 43,
        desiredCount: 3,
        failedTasks: oomKilled.length,
        createdAt: deployedAt,
        updatedAt: pulling.createdAt!,
        rolloutState: "IN_PROGRESS",
      },
      {
        id: prevDeployment,
        status: "ACTIVE",
        revision: 42,
        desiredCount: 3,
        createdAt: inc.at("2026-11-19T14:10:05Z"),
        updatedAt: inc.at("2026-11-19T14:16:40Z"),
        rolloutState: "COMPLETED",
      },
    ],
  });

  const rev42 = serviceRevision(inc, {
    key: "42",
    revision: 42,
    imageTag: "v1.42",
    createdAt: inc.at("2026-11-19T14:10:05Z"),
  });
  const rev43 = serviceRevision(inc, { key: "43", revision: 43, imageTag: "v1.43", createdAt: deployedAt });
  const cbDisabled = { status: "DISABLED" as const, failureCount: 0, threshold: 3 };

  return {
    name: inc.name,
    description:
      "payment-api :43 halved the task memory to 512 MiB (NODE_OPTIONS still lets V8 grow to 768 MB). Every :43 task is OOM-killed about 75 s after start while the three :42 tasks keep serving; the circuit breaker is off, so ECS keeps retrying.",
    primary: {
      symptom: "oom_killed",
      finding:
        "Nine :43 tasks were OOM-killed (exit 137, “OutOfMemoryError: Container killed due to memory usage”) after :43 cut memory from 1024 to 512 MiB 12 min ago; roll back to :42 or restore 1024 MiB.",
    },
    clock: inc.now,
    window: inc.window(),
    service,
    aws: baseWorld({
      taskDefinitions: [
        td42,
        td43,
        taskDefinition({
          revision: 41,
          registeredAt: "2026-11-06T15:20:03.551Z",
          imageTag: "v1.41",
          environment: [{ name: "NODE_OPTIONS", value: "--max-old-space-size=768" }],
        }),
      ],
      tasks,
      serviceRevisions: [rev42, rev43],
      serviceDeployments: [
        serviceDeployment(inc, {
          key: "43",
          createdAt: deployedAt,
          status: "IN_PROGRESS",
          source: { revision: rev42, running: 3 },
          target: { revision: rev43, requested: 3, running: 1, pending: 1 },
          circuitBreaker: cbDisabled,
        }),
        serviceDeployment(inc, {
          key: "42",
          createdAt: inc.at("2026-11-19T14:10:05Z"),
          finishedAt: inc.at("2026-11-19T14:16:40Z"),
          status: "SUCCESSFUL",
          target: { revision: rev42, requested: 3, running: 3 },
          circuitBreaker: cbDisabled,
        }),
      ],
      targetHealth: {
        [TARGET_GROUP_ARN]: [
          ...old.map((t) => target(t, 8080, HEALTHY)),
          target(starting, 8080, INITIAL),
          target(oomKilled.at(-1)!, 8080, DRAINING),
        ],
      },
      logGroups: { [LOG_GROUP]: streams },
      ecr: [
        {
          repository: repository("IMMUTABLE"),
          images: [...REPOSITORY_IMAGES, imageDetail("v1.43", "2026-11-26T09:41:55Z", 188.6)],
        },
      ],
      cloudTrail: deployCalls(inc, td43, {
        registeredAt: td43.registeredAt!,
        updatedAt: deployedAt,
        actor: GITHUB_ACTIONS,
      }),
      metrics,
    }),
  };
}

// ═════════════════════════════════════════════════════════════════════════════════════════════════
// 2. Image tag never pushed
// ═════════════════════════════════════════════════════════════════════════════════════════════════

function imageTagMissing(): Scenario {
  const inc = new Incident("image-tag-missing", "2026-11-24T15:30:00Z");
  const prevDeployment = inc.deploymentId("v1.42");
  const newDeployment = inc.deploymentId("v1.43");
  const td42 = taskDefinition({ revision: 42, registeredAt: "2026-11-19T14:09:31.402Z", imageTag: "v1.42" });
  const td43 = taskDefinition({ revision: 43, registeredAt: "2026-11-24T15:17:30.664Z", imageTag: "v1.43" });
  const ref = IMAGE("v1.43");
  const pullError = `CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ${ref}: ${ref}: not found`;

  const old = steadyTasks(inc, 3, {
    revision: 42,
    deployment: prevDeployment,
    imageTag: "v1.42",
    createdAt: inc.at("2026-11-19T14:10:20Z"),
  });
  const batches: [string, number][] = [
    ["15:18:05", 3],
    ["15:19:40", 3],
    ["15:22:10", 2],
    ["15:26:55", 2],
  ];
  const failed: Task[] = [];
  const batchTasks: Task[][] = [];
  for (const [created, count] of batches) {
    const batch: Task[] = [];
    for (let i = 0; i < count; i++) {
      const n = failed.length;
      const createdAt = plus(inc.at(created), i);
      const task = fargateTask(inc, {
        key: `v143-${n}`,
        revision: 43,
        deployment: newDeployment,
        createdAt,
        subnet: PRIVATE_SUBNETS[n % 2]!,
        imageTag: "v1.43",
        pull: { started: 8 },
        stop: {
          at: plus(createdAt, 44 + (n % 3)),
          code: "TaskFailedToStart",
          reason: pullError,
          containerReason: pullError,
          stoppingFor: 12,
        },
      });
      failed.push(task);
      batch.push(task);
    }
    batchTasks.push(batch);
  }
  const pending = fargateTask(inc, {
    key: "v143-10",
    revision: 43,
    deployment: newDeployment,
    createdAt: inc.at("15:29:30"),
    subnet: PRIVATE_SUBNETS[0]!,
    imageTag: "v1.43",
    pull: { started: 8 },
    lastStatus: "PENDING",
  });
  const tasks = [...old, ...failed, pending];

  const events = new Events(inc);
  olderSteadyStates(events, inc.at("14:16:49"));
  for (const batch of batchTasks) events.started(plus(batch[0]!.createdAt!, 2), batch);
  events.unableToPlace(inc.at("15:20:31"), `${pullError}.`);
  events.cannotStartConsistently(inc.at("15:22:58"));
  events.started(plus(pending.createdAt!, 2), [pending]);

  const deployedAt = inc.at("15:18:02");
  const rev42 = serviceRevision(inc, {
    key: "42",
    revision: 42,
    imageTag: "v1.42",
    createdAt: inc.at("2026-11-19T14:10:05Z"),
  });
  const rev43 = serviceRevision(inc, { key: "43", revision: 43, imageTag: "v1.43", createdAt: deployedAt });
  const cbDisabled = { status: "DISABLED" as const, failureCount: 0, threshold: 3 };

  // The running :42 tasks log normally; nothing in the window matches an error word.
  const oldStreams = Object.fromEntries(
    old.map((t, i) => [
      streamOf(t),
      logLines(inc.at("15:00:00"), [
        [12 + i, `INFO  POST /v1/payments 201 ${38 + i} ms`],
        [600 + i * 7, `INFO  GET /v1/payments/pi_3QmExample${i} 200 ${11 + i} ms`],
      ]),
    ]),
  );

  return {
    name: inc.name,
    description:
      "The deploy pipeline registered payment-api :43 with image payment-api:v1.43 after its build job failed, so the tag was never pushed. Every :43 task stops with CannotPullContainerError before a container starts; :42 keeps serving.",
    primary: {
      symptom: "image_pull_failure",
      finding:
        "Every :43 task fails to start with CannotPullContainerError “…/payment-api:v1.43: not found”, and ECR has no v1.43 tag (image_not_found): push the image or roll back to :42.",
    },
    clock: inc.now,
    window: inc.window(),
    service: ecsService({
      desiredCount: 3,
      revision: 43,
      circuitBreaker: { enable: false, rollback: false },
      tasks,
      events: events.list,
      deployments: [
        {
          id: newDeployment,
          status: "PRIMARY",
          revision: 43,
          desiredCount: 3,
          failedTasks: failed.length,
          createdAt: deployedAt,
          updatedAt: pending.createdAt!,
          rolloutState: "IN_PROGRESS",
        },
        {
          id: prevDeployment,
          status: "ACTIVE",
          revision: 42,
          desiredCount: 3,
          createdAt: inc.at("2026-11-19T14:10:05Z"),
          updatedAt: inc.at("2026-11-19T14:16:40Z"),
          rolloutState: "COMPLETED",
        },
      ],
    }),
    aws: baseWorld({
      taskDefinitions: [td42, td43],
      tasks,
      serviceRevisions: [rev42, rev43],
      serviceDeployments: [
        serviceDeployment(inc, {
          key: "43",
          createdAt: deployedAt,
          status: "IN_PROGRESS",
          source: { revision: rev42, running: 3 },
          target: { revision: rev43, requested: 3, running: 0, pending: 1 },
          circuitBreaker: cbDisabled,
        }),
        serviceDeployment(inc, {
          key: "42",
          createdAt: inc.at("2026-11-19T14:10:05Z"),
          finishedAt: inc.at("2026-11-19T14:16:40Z"),
          status: "SUCCESSFUL",
          target: { revision: rev42, requested: 3, running: 3 },
          circuitBreaker: cbDisabled,
        }),
      ],
      targetHealth: { [TARGET_GROUP_ARN]: old.map((t) => target(t, 8080, HEALTHY)) },
      // The failed tasks never started a container, so their streams were never created.
      logGroups: { [LOG_GROUP]: oldStreams },
      cloudTrail: deployCalls(inc, td43, {
        registeredAt: td43.registeredAt!,
        updatedAt: deployedAt,
        actor: GITHUB_ACTIONS,
      }),
      metrics: quietMetrics(inc, { cpu: 21, mem: 43, rpt: 188, p95: 0.082 }),
    }),
  };
}

// ═════════════════════════════════════════════════════════════════════════════════════════════════
// 3. Execution role cannot read the new secret
// ═════════════════════════════════════════════════════════════════════════════════════════════════

function secretAccessDenied(): Scenario {
  const inc = new Incident("secret-access-denied", "2026-11-19T08:45:00Z");
  const prevDeployment = inc.deploymentId("v1.57");
  const newDeployment = inc.deploymentId("v1.58");
  const newSecret = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:prod/shared/payments-db-Qw3rTy`;
  const td57 = taskDefinition({
    revision: 57,
    registeredAt: "2026-11-14T10:02:18.250Z",
    registeredBy: TERRAFORM.arn,
    imageTag: "v1.57",
  });
  const td58 = taskDefinition({
    revision: 58,
    registeredAt: "2026-11-19T08:36:40.871Z",
    registeredBy: TERRAFORM.arn,
    imageTag: "v1.57",
    secrets: [
      { name: "DB_PASSWORD", valueFrom: newSecret },
      { name: "STRIPE_API_KEY", valueFrom: PARAM_STRIPE },
    ],
  });
  const desired = 8;
  const threshold = circuitBreakerThreshold(desired);
  const denied = (task: string) =>
    `ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret ${newSecret} from secrets manager: AccessDeniedException: User: arn:aws:sts::${ACCOUNT}:assumed-role/payment-api-execution/${task} is not authorized to perform: secretsmanager:GetSecretValue on resource: ${newSecret} because no identity-based policy allows the secretsmanager:GetSecretValue action status code: 400, request id: ${inc.uuid(`sm-request/${task}`)}`;

  const old = steadyTasks(inc, desired, {
    revision: 57,
    deployment: prevDeployment,
    imageTag: "v1.57",
    createdAt: inc.at("2026-11-14T10:03:02Z"),
  });
  const created = ["08:37:18", "08:37:19", "08:43:10"];
  const failed = created.map((time, i) => {
    const createdAt = inc.at(time);
    const key = `v158-${i}`;
    return fargateTask(inc, {
      key,
      revision: 58,
      deployment: newDeployment,
      createdAt,
      subnet: PRIVATE_SUBNETS[i % 2]!,
      imageTag: "v1.57",
      stop: {
        at: plus(createdAt, 33 + i),
        code: "TaskFailedToStart",
        reason: denied(inc.taskId(key)),
        stoppingFor: 10,
      },
    });
  });
  const pending = fargateTask(inc, {
    key: "v158-3",
    revision: 58,
    deployment: newDeployment,
    createdAt: inc.at("08:44:40"),
    subnet: PRIVATE_SUBNETS[1]!,
    imageTag: "v1.57",
    lastStatus: "PENDING",
  });
  const tasks = [...old, ...failed, pending];

  const events = new Events(inc);
  olderSteadyStates(events, inc.at("04:06:12"));
  events.started(inc.at("08:37:20"), failed.slice(0, 2));
  events.unableToPlace(inc.at("08:37:53"), denied(taskIdOf(failed[0]!)));
  events.started(plus(failed[2]!.createdAt!, 2), [failed[2]!]);
  events.started(plus(pending.createdAt!, 2), [pending]);

  const deployedAt = inc.at("08:37:15");
  const rev57 = serviceRevision(inc, {
    key: "57",
    revision: 57,
    imageTag: "v1.57",
    createdAt: inc.at("2026-11-14T10:02:40Z"),
  });
  const rev58 = serviceRevision(inc, { key: "58", revision: 58, imageTag: "v1.57", createdAt: deployedAt });
  const [register, update] = deployCalls(inc, td58, {
    registeredAt: td58.registeredAt!,
    updatedAt: deployedAt,
    actor: TERRAFORM,
  });

  const oldStreams = Object.fromEntries(
    old
      .slice(0, 3)
      .map((t, i) => [
        streamOf(t),
        logLines(inc.at("08:10:00"), [[40 * i + 5, `INFO  POST /v1/payments 201 ${41 + i} ms`]]),
      ]),
  );

  return {
    name: inc.name,
    description:
      "Terraform registered payment-api :58, pointing DB_PASSWORD at the new shared secret prod/shared/payments-db. The execution role payment-api-execution may only read prod/payment-api/*, so every :58 task stops at start-up with AccessDeniedException; the circuit breaker is at 3 of 4.",
    primary: {
      symptom: "secret_access_denied",
      finding:
        "New :58 tasks cannot start: execution role payment-api-execution is denied secretsmanager:GetSecretValue on prod/shared/payments-db-Qw3rTy (new in :58); grant it or roll back to :57 before the circuit breaker (3/4) trips.",
    },
    clock: inc.now,
    window: inc.window(),
    service: ecsService({
      desiredCount: desired,
      revision: 58,
      maximumPercent: 125,
      tasks,
      events: events.list,
      deployments: [
        {
          id: newDeployment,
          status: "PRIMARY",
          revision: 58,
          desiredCount: desired,
          failedTasks: failed.length,
          createdAt: deployedAt,
          updatedAt: pending.createdAt!,
          rolloutState: "IN_PROGRESS",
        },
        {
          id: prevDeployment,
          status: "ACTIVE",
          revision: 57,
          desiredCount: desired,
          createdAt: inc.at("2026-11-14T10:02:40Z"),
          updatedAt: inc.at("2026-11-14T10:09:55Z"),
          rolloutState: "COMPLETED",
        },
      ],
    }),
    aws: baseWorld({
      taskDefinitions: [td57, td58],
      tasks,
      serviceRevisions: [rev57, rev58],
      serviceDeployments: [
        serviceDeployment(inc, {
          key: "58",
          createdAt: deployedAt,
          status: "IN_PROGRESS",
          source: { revision: rev57, running: desired },
          target: { revision: rev58, requested: desired, running: 0, pending: 1 },
          circuitBreaker: { status: "MONITORING", failureCount: failed.length, threshold },
          maximumPercent: 125,
        }),
        serviceDeployment(inc, {
          key: "57",
          createdAt: inc.at("2026-11-14T10:02:40Z"),
          finishedAt: inc.at("2026-11-14T10:09:55Z"),
          status: "SUCCESSFUL",
          target: { revision: rev57, requested: desired, running: desired },
          circuitBreaker: { status: "MONITORING_COMPLETE", failureCount: 0, threshold },
          maximumPercent: 125,
        }),
      ],
      targetHealth: { [TARGET_GROUP_ARN]: old.map((t) => target(t, 8080, HEALTHY)) },
      logGroups: { [LOG_GROUP]: oldStreams },
      ecr: [{ repository: repository("IMMUTABLE"), images: [imageDetail("v1.57", "2026-11-14T09:48:31Z", 191.2)] }],
      cloudTrail: [register!, update!],
      metrics: quietMetrics(inc, { cpu: 31, mem: 47, rpt: 164, p95: 0.091 }),
    }),
  };
}

// ═════════════════════════════════════════════════════════════════════════════════════════════════
// 4. Subnets out of IPs during a surge deployment
// ═════════════════════════════════════════════════════════════════════════════════════════════════

function subnetIpExhaustion(): Scenario {
  const inc = new Incident("subnet-ip-exhaustion", "2026-11-20T18:10:00Z");
  const subnets: SubnetSpec[] = [
    { id: "subnet-0f3e2d1c0b9a80011", az: "us-east-1a", azId: "use1-az4", cidr: "10.0.32.0/27", free: 0 },
    { id: "subnet-0f3e2d1c0b9a80012", az: "us-east-1b", azId: "use1-az6", cidr: "10.0.32.32/27", free: 2 },
  ];
  const prevDeployment = inc.deploymentId("v2.112");
  const newDeployment = inc.deploymentId("v2.113");
  const td112 = taskDefinition({
    revision: 112,
    registeredAt: "2026-11-17T09:31:07.007Z",
    imageTag: "v2.112",
    cpu: "1024",
    memory: "2048",
  });
  const td113 = taskDefinition({
    revision: 113,
    registeredAt: "2026-11-20T17:58:05.339Z",
    imageTag: "v2.113",
    cpu: "1024",
    memory: "2048",
  });
  const desired = 20;

  const old = steadyTasks(inc, desired, {
    revision: 112,
    deployment: prevDeployment,
    imageTag: "v2.112",
    createdAt: inc.at("2026-11-17T09:32:10Z"),
    subnets,
    memory: "2048",
  });
  const life = (key: string, subnet: SubnetSpec, createdAt: Date, extra: Partial<TaskSpec>) =>
    fargateTask(inc, {
      key,
      revision: 113,
      deployment: newDeployment,
      createdAt,
      subnet,
      imageTag: "v2.113",
      cpu: "1024",
      memory: "2048",
      ...extra,
    });
  const batchAt = inc.at("17:58:34");
  const placed = [
    life("v113-0", subnets[1]!, batchAt, healthyLife),
    life("v113-1", subnets[0]!, plus(batchAt, 1), healthyLife),
  ];
  // Eight of the first batch never got an ENI: the subnets had no address left for them.
  const stoppedAt = ["18:01:41", "18:01:44", "18:01:52", "18:02:03", "18:02:11", "18:02:30", "18:02:47", "18:03:05"];
  const timedOut = stoppedAt.map((at, i) =>
    life(`v113-${i + 2}`, subnets[i % 2]!, plus(batchAt, 1 + Math.floor(i / 3)), {
      gotIp: false,
      stop: {
        at: inc.at(at),
        code: "TaskFailedToStart",
        reason: "Timeout waiting for network interface provisioning to complete.",
        stoppingFor: 6,
      },
    }),
  );
  const provisioning = ["18:07:30", "18:08:10", "18:09:05"].map((at, i) =>
    life(`v113-${i + 10}`, subnets[i % 2]!, inc.at(at), { gotIp: false, lastStatus: "PROVISIONING" }),
  );
  const tasks = [...old, ...placed, ...timedOut, ...provisioning];

  const events = new Events(inc);
  olderSteadyStates(events, inc.at("15:38:21"));
  events.started(inc.at("17:58:36"), [...placed, ...timedOut]);
  events.registered(inc.at("17:59:03"), 2);
  events.cannotStartConsistently(inc.at("18:04:10"));
  for (const task of provisioning) events.started(plus(task.createdAt!, 1), [task]);

  const deployedAt = inc.at("17:58:30");
  const rev112 = serviceRevision(inc, {
    key: "112",
    revision: 112,
    imageTag: "v2.112",
    createdAt: inc.at("2026-11-17T09:31:40Z"),
  });
  const rev113 = serviceRevision(inc, { key: "113", revision: 113, imageTag: "v2.113", createdAt: deployedAt });
  const threshold = circuitBreakerThreshold(desired);

  return {
    name: inc.name,
    description:
      "A routine deploy of payment-api :113 (desired 20, maximumPercent 200) needs up to 20 extra task IPs, but its two /27 subnets, shared with other workloads, have 0 and 2 addresses left. Two new tasks got IPs; eight timed out waiting for a network interface and three are stuck in PROVISIONING. The circuit breaker is at 8 of 10.",
    primary: {
      symptom: "subnet_ip_exhaustion",
      finding:
        "The two /27 subnets have 0 and 2 free IPs but the surge needs 18 more task ENIs; new :113 tasks stop with “Timeout waiting for network interface provisioning to complete.” — add subnets or lower maximumPercent before the circuit breaker (8/10) trips.",
    },
    clock: inc.now,
    window: inc.window(),
    service: ecsService({
      desiredCount: desired,
      revision: 113,
      subnets,
      tasks,
      events: events.list,
      deployments: [
        {
          id: newDeployment,
          status: "PRIMARY",
          revision: 113,
          desiredCount: desired,
          failedTasks: timedOut.length,
          createdAt: deployedAt,
          updatedAt: provisioning.at(-1)!.createdAt!,
          rolloutState: "IN_PROGRESS",
        },
        {
          id: prevDeployment,
          status: "ACTIVE",
          revision: 112,
          desiredCount: desired,
          createdAt: inc.at("2026-11-17T09:31:40Z"),
          updatedAt: inc.at("2026-11-17T09:40:12Z"),
          rolloutState: "COMPLETED",
        },
      ],
    }),
    aws: baseWorld({
      taskDefinitions: [td112, td113],
      tasks,
      subnets: subnetsFrom(subnets),
      serviceRevisions: [rev112, rev113],
      serviceDeployments: [
        serviceDeployment(inc, {
          key: "113",
          createdAt: deployedAt,
          status: "IN_PROGRESS",
          source: { revision: rev112, running: desired },
          target: { revision: rev113, requested: desired, running: placed.length, pending: provisioning.length },
          circuitBreaker: { status: "MONITORING", failureCount: timedOut.length, threshold },
        }),
        serviceDeployment(inc, {
          key: "112",
          createdAt: inc.at("2026-11-17T09:31:40Z"),
          finishedAt: inc.at("2026-11-17T09:40:12Z"),
          status: "SUCCESSFUL",
          target: { revision: rev112, requested: desired, running: desired },
          circuitBreaker: { status: "MONITORING_COMPLETE", failureCount: 0, threshold },
        }),
      ],
      targetHealth: { [TARGET_GROUP_ARN]: [...old, ...placed].map((t) => target(t, 8080, HEALTHY)) },
      logGroups: {
        [LOG_GROUP]: Object.fromEntries(
          placed.map((t) => [
            streamOf(t),
            logLines(t.startedAt!, [
              [0.8, "INFO  payment-api 2.113.0 listening on 0.0.0.0:8080"],
              [95, "INFO  POST /v1/payments 201 44 ms"],
            ]),
          ]),
        ),
      },
      ecr: [
        {
          repository: repository("IMMUTABLE"),
          images: [
            imageDetail("v2.112", "2026-11-17T09:20:44Z", 203.9),
            imageDetail("v2.113", "2026-11-20T17:51:18Z", 204.2),
          ],
        },
      ],
      cloudTrail: deployCalls(inc, td113, {
        registeredAt: td113.registeredAt!,
        updatedAt: deployedAt,
        actor: GITHUB_ACTIONS,
      }),
      metrics: quietMetrics(inc, { cpu: 54, mem: 51, rpt: 236, p95: 0.104 }),
    }),
  };
}

// ═════════════════════════════════════════════════════════════════════════════════════════════════
// 5. Health endpoint renamed, target group still checks the old path
// ═════════════════════════════════════════════════════════════════════════════════════════════════

function elbHealthCheckWrongPath(): Scenario {
  const inc = new Incident("elb-health-check-wrong-path", "2026-11-23T11:20:00Z");
  const prevDeployment = inc.deploymentId("v1.87");
  const newDeployment = inc.deploymentId("v1.88");
  const td87 = taskDefinition({ revision: 87, registeredAt: "2026-11-20T16:44:09.015Z", imageTag: "v1.87" });
  const td88 = taskDefinition({ revision: 88, registeredAt: "2026-11-23T11:01:40.442Z", imageTag: "v1.88" });
  const desired = 4;
  const reason = "Health checks failed with these codes: [404]";
  const elbReason = `Task failed ELB health checks in (target-group ${TARGET_GROUP_ARN})`;

  const old = steadyTasks(inc, desired, {
    revision: 87,
    deployment: prevDeployment,
    imageTag: "v1.87",
    createdAt: inc.at("2026-11-20T16:45:30Z"),
  });
  const events = new Events(inc);
  olderSteadyStates(events, inc.at("10:51:37"));

  // maximumPercent 150: two new tasks at a time. Each is registered, fails two checks on /health (404), and ECS
  // replaces it once the 60 s grace period is over; the target drains for 30 s (deregistration delay).
  const cycles = ["11:02:14", "11:04:52", "11:07:31", "11:10:08", "11:12:47", "11:15:25"];
  const stopped: Task[] = [];
  const streams: Record<string, OutputLogEvent[]> = {};
  for (const [c, time] of cycles.entries()) {
    const createdAt = inc.at(time);
    const pair = [0, 1].map((k) => {
      const created = plus(createdAt, k * 2);
      const unhealthyAt = plus(created, 25 + 3 + 62 + k);
      return fargateTask(inc, {
        key: `v188-${c}-${k}`,
        revision: 88,
        deployment: newDeployment,
        createdAt: created,
        subnet: PRIVATE_SUBNETS[k]!,
        imageTag: "v1.88",
        ...healthyLife,
        stop: {
          at: plus(unhealthyAt, 34),
          code: "ServiceSchedulerInitiated",
          reason: elbReason,
          exitCode: 0,
          stoppingFor: 33,
        },
      });
    });
    stopped.push(...pair);
    events.started(plus(createdAt, 2), pair, c > 0);
    events.registered(plus(pair[1]!.startedAt!, 3), 2);
    for (const task of pair) events.unhealthy(task.stoppingAt!, task, 8080, reason);
    events.draining(plus(pair[1]!.stoppingAt!, 1), 2).deregistered(plus(pair[1]!.stoppingAt!, 1), 2);
    events.stopped(plus(pair[1]!.stoppedAt!, 1), pair);
    for (const task of pair) {
      const checks: [number, string][] = [];
      for (let s = 3.5; s < minutesBetween(task.startedAt!, task.stoppingAt!) * 60; s += 15) {
        const node = ALB_NODE_IPS[Math.round(s / 15) % 2]!;
        checks.push([s, `INFO  ${node} "GET /health HTTP/1.1" 404 9 "ELB-HealthChecker/2.0" 1 ms`]);
      }
      const stopping = minutesBetween(task.startedAt!, task.stoppingAt!) * 60;
      streams[streamOf(task)] = logLines(task.startedAt!, [
        [0.6, "INFO  payment-api 1.88.0 (fastify 5.1.0) listening on 0.0.0.0:8080"],
        [0.7, "INFO  routes: GET /healthz, GET /readyz, POST /v1/payments, GET /v1/payments/:id"],
        ...checks,
        [stopping + 0.2, "INFO  SIGTERM received, closing server"],
        [stopping + 0.9, "INFO  server closed, exiting"],
      ]);
    }
  }
  const current = [
    fargateTask(inc, {
      key: "v188-6-0",
      revision: 88,
      deployment: newDeployment,
      createdAt: inc.at("11:18:20"),
      subnet: PRIVATE_SUBNETS[0]!,
      imageTag: "v1.88",
      ...healthyLife,
    }),
    fargateTask(inc, {
      key: "v188-6-1",
      revision: 88,
      deployment: newDeployment,
      createdAt: inc.at("11:18:40"),
      subnet: PRIVATE_SUBNETS[1]!,
      imageTag: "v1.88",
      ...healthyLife,
    }),
  ];
  events.started(inc.at("11:18:22"), [current[0]!], true).started(inc.at("11:18:42"), [current[1]!], true);
  events.registered(plus(current[0]!.startedAt!, 3), 1).registered(plus(current[1]!.startedAt!, 3), 1);
  const tasks = [...old, ...stopped, ...current];

  const deployedAt = inc.at("11:02:10");
  const rev87 = serviceRevision(inc, {
    key: "87",
    revision: 87,
    imageTag: "v1.87",
    createdAt: inc.at("2026-11-20T16:45:02Z"),
  });
  const rev88 = serviceRevision(inc, { key: "88", revision: 88, imageTag: "v1.88", createdAt: deployedAt });
  const cbDisabled = { status: "DISABLED" as const, failureCount: 0, threshold: 3 };

  return {
    name: inc.name,
    description:
      "payment-api 1.88 moved to fastify and renamed its health endpoint to /healthz, but target group payment-api-tg still checks /health. Every :88 task answers 404, is marked unhealthy and replaced; the four :87 tasks keep serving. The circuit breaker is off.",
    primary: {
      symptom: "elb_health_check_failed",
      finding:
        "Every :88 task fails the ALB health check on /health with 404 (the app now serves /healthz) and is replaced: point payment-api-tg's health check at /healthz or roll back to :87.",
    },
    clock: inc.now,
    window: inc.window(),
    service: ecsService({
      desiredCount: desired,
      revision: 88,
      maximumPercent: 150,
      circuitBreaker: { enable: false, rollback: false },
      tasks,
      events: events.list,
      deployments: [
        {
          id: newDeployment,
          status: "PRIMARY",
          revision: 88,
          desiredCount: desired,
          failedTasks: stopped.length,
          createdAt: deployedAt,
          updatedAt: current[1]!.createdAt!,
          rolloutState: "IN_PROGRESS",
        },
        {
          id: prevDeployment,
          status: "ACTIVE",
          revision: 87,
          desiredCount: desired,
          createdAt: inc.at("2026-11-20T16:45:02Z"),
          updatedAt: inc.at("2026-11-20T16:52:47Z"),
          rolloutState: "COMPLETED",
        },
      ],
    }),
    aws: baseWorld({
      taskDefinitions: [td87, td88],
      tasks,
      serviceRevisions: [rev87, rev88],
      serviceDeployments: [
        serviceDeployment(inc, {
          key: "88",
          createdAt: deployedAt,
          status: "IN_PROGRESS",
          source: { revision: rev87, running: desired },
          target: { revision: rev88, requested: desired, running: 2 },
          circuitBreaker: cbDisabled,
          maximumPercent: 150,
        }),
        serviceDeployment(inc, {
          key: "87",
          createdAt: inc.at("2026-11-20T16:45:02Z"),
          finishedAt: inc.at("2026-11-20T16:52:47Z"),
          status: "SUCCESSFUL",
          target: { revision: rev87, requested: desired, running: desired },
          circuitBreaker: cbDisabled,
          maximumPercent: 150,
        }),
      ],
      targetHealth: {
        [TARGET_GROUP_ARN]: [
          ...old.map((t) => target(t, 8080, HEALTHY)),
          target(current[0]!, 8080, { State: "unhealthy", Reason: "Target.ResponseCodeMismatch", Description: reason }),
          target(current[1]!, 8080, INITIAL),
        ],
      },
      logGroups: { [LOG_GROUP]: streams },
      ecr: [
        {
          repository: repository("IMMUTABLE"),
          images: [
            imageDetail("v1.87", "2026-11-20T16:31:50Z", 172.3),
            imageDetail("v1.88", "2026-11-23T10:49:27Z", 169.8),
          ],
        },
      ],
      cloudTrail: deployCalls(inc, td88, {
        registeredAt: td88.registeredAt!,
        updatedAt: deployedAt,
        actor: GITHUB_ACTIONS,
      }),
      metrics: quietMetrics(inc, { cpu: 29, mem: 45, rpt: 205, p95: 0.088 }),
    }),
  };
}

// ═════════════════════════════════════════════════════════════════════════════════════════════════
// 6. Container port moved, security group did not follow
// ═════════════════════════════════════════════════════════════════════════════════════════════════

function portMismatch(): Scenario {
  const inc = new Incident("port-mismatch", "2026-11-25T14:05:00Z");
  const prevDeployment = inc.deploymentId("v1.64");
  const newDeployment = inc.deploymentId("v1.65");
  const td64 = taskDefinition({
    revision: 64,
    registeredAt: "2026-11-21T12:14:55.802Z",
    registeredBy: PLATFORM_ENGINEER.arn,
    imageTag: "v1.64",
  });
  const td65 = taskDefinition({
    revision: 65,
    registeredAt: "2026-11-25T13:55:48.210Z",
    registeredBy: PLATFORM_ENGINEER.arn,
    imageTag: "v1.65",
    containerPort: 3000,
  });
  const desired = 4;
  const threshold = circuitBreakerThreshold(desired);
  const elbReason = `Task failed ELB health checks in (target-group ${TARGET_GROUP_ARN})`;

  const old = steadyTasks(inc, desired, {
    revision: 64,
    deployment: prevDeployment,
    imageTag: "v1.64",
    createdAt: inc.at("2026-11-21T12:16:03Z"),
  });
  const events = new Events(inc);
  olderSteadyStates(events, inc.at("12:17:30"));
  const streams: Record<string, OutputLogEvent[]> = {};
  const listening = (task: Task, stopping?: number) =>
    logLines(task.startedAt!, [
      [0.5, "INFO  payment-api 1.65.0 listening on 0.0.0.0:3000"],
      ...(stopping === undefined
        ? []
        : ([
            [stopping + 0.3, "INFO  SIGTERM received, closing server"],
            [stopping + 0.8, "INFO  server closed, exiting"],
          ] as [number, string][])),
    ]);

  // maximumPercent 125: one new task at a time; health-check grace period 120 s; the checks to port 3000 time out.
  const stopped = ["13:56:24", "13:59:28"].map((time, i) => {
    const createdAt = inc.at(time);
    const unhealthyAt = plus(createdAt, 25 + 121);
    return fargateTask(inc, {
      key: `v165-${i}`,
      revision: 65,
      deployment: newDeployment,
      createdAt,
      subnet: PRIVATE_SUBNETS[i]!,
      imageTag: "v1.65",
      ...healthyLife,
      stop: {
        at: plus(unhealthyAt, 34),
        code: "ServiceSchedulerInitiated",
        reason: elbReason,
        exitCode: 0,
        stoppingFor: 33,
      },
    });
  });
  for (const [i, task] of stopped.entries()) {
    events.started(plus(task.createdAt!, 2), [task], i > 0);
    events.registered(plus(task.startedAt!, 3), 1);
    events.unhealthy(task.stoppingAt!, task, 3000, "Request timed out");
    events.draining(plus(task.stoppingAt!, 1), 1).deregistered(plus(task.stoppingAt!, 1), 1);
    events.stopped(plus(task.stoppedAt!, 1), [task]);
    streams[streamOf(task)] = listening(task, minutesBetween(task.startedAt!, task.stoppingAt!) * 60);
  }
  const current = fargateTask(inc, {
    key: "v165-2",
    revision: 65,
    deployment: newDeployment,
    createdAt: inc.at("14:02:58"),
    subnet: PRIVATE_SUBNETS[0]!,
    imageTag: "v1.65",
    ...healthyLife,
  });
  events.started(plus(current.createdAt!, 2), [current], true).registered(plus(current.startedAt!, 3), 1);
  streams[streamOf(current)] = listening(current);
  const tasks = [...old, ...stopped, current];

  const deployedAt = inc.at("13:56:20");
  const rev64 = serviceRevision(inc, {
    key: "64",
    revision: 64,
    imageTag: "v1.64",
    createdAt: inc.at("2026-11-21T12:15:21Z"),
  });
  const rev65 = serviceRevision(inc, {
    key: "65",
    revision: 65,
    imageTag: "v1.65",
    createdAt: deployedAt,
    containerPort: 3000,
  });

  return {
    name: inc.name,
    description:
      "A platform engineer moved payment-api to port 3000 (:65 and the service's load-balancer binding), but the task security group still admits only 8080 from the ALB. Health checks to port 3000 time out, so every :65 task is replaced; :64 keeps serving on 8080. The circuit breaker is at 2 of 3.",
    primary: {
      symptom: "elb_health_check_failed",
      finding:
        "Health checks time out (Target.Timeout) because of security_group_blocks_traffic: :65 moved the container to port 3000 but the task security group still admits the ALB only on 8080, so health checks to 3000 time out (Target.Timeout): allow tcp 3000 from sg-04e5f6a7b8c9d0e1f or roll back to :64.",
    },
    clock: inc.now,
    window: inc.window(),
    service: ecsService({
      desiredCount: desired,
      revision: 65,
      containerPort: 3000,
      maximumPercent: 125,
      healthCheckGracePeriodSeconds: 120,
      tasks,
      events: events.list,
      deployments: [
        {
          id: newDeployment,
          status: "PRIMARY",
          revision: 65,
          desiredCount: desired,
          failedTasks: stopped.length,
          createdAt: deployedAt,
          updatedAt: current.createdAt!,
          rolloutState: "IN_PROGRESS",
        },
        {
          id: prevDeployment,
          status: "ACTIVE",
          revision: 64,
          desiredCount: desired,
          createdAt: inc.at("2026-11-21T12:15:21Z"),
          updatedAt: inc.at("2026-11-21T12:22:09Z"),
          rolloutState: "COMPLETED",
        },
      ],
    }),
    aws: baseWorld({
      taskDefinitions: [td64, td65],
      tasks,
      serviceRevisions: [rev64, rev65],
      serviceDeployments: [
        serviceDeployment(inc, {
          key: "65",
          createdAt: deployedAt,
          status: "IN_PROGRESS",
          source: { revision: rev64, running: desired },
          target: { revision: rev65, requested: desired, running: 1 },
          circuitBreaker: { status: "MONITORING", failureCount: stopped.length, threshold },
          maximumPercent: 125,
        }),
        serviceDeployment(inc, {
          key: "64",
          createdAt: inc.at("2026-11-21T12:15:21Z"),
          finishedAt: inc.at("2026-11-21T12:22:09Z"),
          status: "SUCCESSFUL",
          target: { revision: rev64, requested: desired, running: desired },
          circuitBreaker: { status: "MONITORING_COMPLETE", failureCount: 0, threshold },
          maximumPercent: 125,
        }),
      ],
      targetHealth: {
        [TARGET_GROUP_ARN]: [
          ...old.map((t) => target(t, 8080, HEALTHY)),
          target(current, 3000, { State: "unhealthy", Reason: "Target.Timeout", Description: "Request timed out" }),
        ],
      },
      logGroups: { [LOG_GROUP]: streams },
      ecr: [
        {
          repository: repository("IMMUTABLE"),
          images: [
            imageDetail("v1.64", "2026-11-21T11:58:02Z", 176.0),
            imageDetail("v1.65", "2026-11-25T13:41:37Z", 176.4),
          ],
        },
      ],
      cloudTrail: deployCalls(inc, td65, {
        registeredAt: td65.registeredAt!,
        updatedAt: deployedAt,
        actor: { ...PLATFORM_ENGINEER, userAgent: `${PLATFORM_ENGINEER.userAgent} md/command#ecs.update-service` },
        updateExtras: {
          loadBalancers: [{ targetGroupArn: TARGET_GROUP_ARN, containerName: "app", containerPort: 3000 }],
        },
      }),
      metrics: quietMetrics(inc, { cpu: 26, mem: 44, rpt: 197, p95: 0.085 }),
    }),
  };
}

// ═════════════════════════════════════════════════════════════════════════════════════════════════
// 7. Crash on start, circuit breaker rolls back
// ═════════════════════════════════════════════════════════════════════════════════════════════════

function circuitBreakerRollback(): Scenario {
  const inc = new Incident("circuit-breaker-rollback", "2026-11-21T16:40:00Z");
  const goodDeployment = inc.deploymentId("v1.43");
  const failedDeployment = inc.deploymentId("v1.44");
  const td42 = taskDefinition({
    revision: 42,
    registeredAt: "2026-11-11T09:12:48.113Z",
    imageTag: "v1.42",
    cpu: "1024",
    memory: "2048",
  });
  const td43 = taskDefinition({
    revision: 43,
    registeredAt: "2026-11-18T10:04:51.930Z",
    imageTag: "v1.43",
    cpu: "1024",
    memory: "2048",
  });
  const td44 = taskDefinition({
    revision: 44,
    registeredAt: "2026-11-21T16:19:40.287Z",
    imageTag: "v1.44",
    cpu: "1024",
    memory: "2048",
  });
  const desired = 20;
  const threshold = circuitBreakerThreshold(desired);
  const reason = "ECS deployment circuit breaker: tasks failed to start.";

  const good = steadyTasks(inc, desired, {
    revision: 43,
    deployment: goodDeployment,
    imageTag: "v1.43",
    createdAt: inc.at("2026-11-18T10:05:30Z"),
    memory: "2048",
  });
  const batches: [string, number][] = [
    ["16:20:09", 6],
    ["16:21:10", 4],
  ];
  const crashed: Task[] = [];
  const batchTasks: Task[][] = [];
  for (const [time, count] of batches) {
    const batch: Task[] = [];
    for (let i = 0; i < count; i++) {
      const n = crashed.length;
      const createdAt = plus(inc.at(time), Math.floor(i / 2));
      const task = fargateTask(inc, {
        key: `v144-${n}`,
        revision: 44,
        deployment: failedDeployment,
        createdAt,
        subnet: PRIVATE_SUBNETS[n % 2]!,
        imageTag: "v1.44",
        cpu: "1024",
        memory: "2048",
        ...healthyLife,
        stop: {
          at: plus(createdAt, 25 + 26 + (n % 3)),
          code: "EssentialContainerExited",
          reason: "Essential container in task exited",
          exitCode: 1,
          stoppingFor: 24,
        },
      });
      crashed.push(task);
      batch.push(task);
    }
    batchTasks.push(batch);
  }
  const tasks = [...good, ...crashed];

  const trippedAt = inc.at("16:22:05");
  const completedAt = inc.at("16:23:40");
  const events = new Events(inc);
  olderSteadyStates(events, inc.at("10:11:52"));
  for (const batch of batchTasks) events.started(plus(batch[0]!.createdAt!, 2), batch);
  events.cannotStartConsistently(inc.at("16:21:48"));
  events.add(
    trippedAt,
    `(service ${SERVICE}) (deployment ${failedDeployment}) deployment failed: tasks failed to start.`,
  );
  events.add(plus(trippedAt, 0.001), `(service ${SERVICE}) rolling back to deployment ${goodDeployment}.`);
  events.deploymentCompleted(completedAt, goodDeployment).steadyState(plus(completedAt, 0.001));

  const crashLog = (task: Task) =>
    logLines(task.startedAt!, [
      [0.31, "node:internal/modules/cjs/loader:1228"],
      [0.31, "  throw err;"],
      [0.31, "  ^"],
      [0.31, ""],
      [0.31, "Error: Cannot find module '/app/dist/server.js'"],
      [0.31, "    at Module._resolveFilename (node:internal/modules/cjs/loader:1225:15)"],
      [0.31, "    at Module._load (node:internal/modules/cjs/loader:1051:27)"],
      [0.31, "    at Function.executeUserEntryPoint [as runMain] (node:internal/modules/run_main:174:12)"],
      [0.31, "    at node:internal/main/run_main_module:28:49 {"],
      [0.31, "  code: 'MODULE_NOT_FOUND',"],
      [0.31, "  requireStack: []"],
      [0.31, "}"],
      [0.31, ""],
      [0.31, "Node.js v20.18.1"],
    ]);

  const rev42 = serviceRevision(inc, {
    key: "42",
    revision: 42,
    imageTag: "v1.42",
    createdAt: inc.at("2026-11-11T09:13:20Z"),
  });
  const rev43 = serviceRevision(inc, {
    key: "43",
    revision: 43,
    imageTag: "v1.43",
    createdAt: inc.at("2026-11-18T10:05:12Z"),
  });
  const rev44 = serviceRevision(inc, { key: "44", revision: 44, imageTag: "v1.44", createdAt: inc.at("16:20:05") });
  const deployedAt = inc.at("16:20:05");

  return {
    name: inc.name,
    description:
      "payment-api 1.44 changed its build output directory, so the image has no /app/dist/server.js and every :44 task exits 1 within a second of starting. After 10 failures the deployment circuit breaker failed the deployment and rolled back to the :43 deployment, which is healthy again with 20 tasks.",
    primary: {
      symptom: "app_crash",
      finding:
        "Every :44 task exits 1 at start-up with “Error: Cannot find module '/app/dist/server.js'”, so the deployment failed (deployment_failed) and was rolled back by the circuit breaker (10/10 failures); :43 is serving again — fix the image before redeploying.",
    },
    clock: inc.now,
    window: inc.window(),
    // After a rollback completes, ECS lists only the deployment it went back to; the failed one survives in the
    // service-deployment history and the events.
    service: ecsService({
      desiredCount: desired,
      revision: 43,
      tasks,
      events: events.list,
      deployments: [
        {
          id: goodDeployment,
          status: "PRIMARY",
          revision: 43,
          desiredCount: desired,
          createdAt: inc.at("2026-11-18T10:05:12Z"),
          updatedAt: completedAt,
          rolloutState: "COMPLETED",
        },
      ],
    }),
    aws: baseWorld({
      taskDefinitions: [td42, td43, td44],
      tasks,
      serviceRevisions: [rev42, rev43, rev44],
      serviceDeployments: [
        serviceDeployment(inc, {
          key: "44",
          createdAt: deployedAt,
          finishedAt: completedAt,
          status: "ROLLBACK_SUCCESSFUL",
          statusReason: reason,
          source: { revision: rev43, running: desired },
          target: { revision: rev44, requested: desired, running: 0 },
          circuitBreaker: { status: "TRIGGERED", failureCount: crashed.length, threshold },
          rollback: { reason, startedAt: trippedAt, serviceRevisionArn: rev43.serviceRevisionArn },
        }),
        serviceDeployment(inc, {
          key: "43",
          createdAt: inc.at("2026-11-18T10:05:12Z"),
          finishedAt: inc.at("2026-11-18T10:13:37Z"),
          status: "SUCCESSFUL",
          source: { revision: rev42, running: desired },
          target: { revision: rev43, requested: desired, running: desired },
          circuitBreaker: { status: "MONITORING_COMPLETE", failureCount: 0, threshold },
        }),
        serviceDeployment(inc, {
          key: "42",
          createdAt: inc.at("2026-11-11T09:13:20Z"),
          finishedAt: inc.at("2026-11-11T09:21:02Z"),
          status: "SUCCESSFUL",
          target: { revision: rev42, requested: desired, running: desired },
          circuitBreaker: { status: "MONITORING_COMPLETE", failureCount: 0, threshold },
        }),
      ],
      targetHealth: { [TARGET_GROUP_ARN]: good.map((t) => target(t, 8080, HEALTHY)) },
      logGroups: { [LOG_GROUP]: Object.fromEntries(crashed.map((t) => [streamOf(t), crashLog(t)])) },
      ecr: [
        {
          repository: repository("IMMUTABLE"),
          images: [
            imageDetail("v1.42", "2026-11-11T08:59:31Z", 188.1),
            imageDetail("v1.43", "2026-11-18T09:52:06Z", 188.6),
            imageDetail("v1.44", "2026-11-21T16:08:15Z", 161.9),
          ],
        },
      ],
      cloudTrail: deployCalls(inc, td44, {
        registeredAt: td44.registeredAt!,
        updatedAt: deployedAt,
        actor: GITHUB_ACTIONS,
      }),
      metrics: quietMetrics(inc, { cpu: 38, mem: 41, rpt: 176, p95: 0.079 }),
    }),
  };
}

// ═════════════════════════════════════════════════════════════════════════════════════════════════
// 8. Healthy
// ═════════════════════════════════════════════════════════════════════════════════════════════════

function healthy(): Scenario {
  const inc = new Incident("healthy", "2026-11-28T09:30:00Z");
  const deploymentId = inc.deploymentId("v1.42");
  const td42 = taskDefinition({ revision: 42, registeredAt: "2026-11-25T08:40:12.550Z", imageTag: "v1.42" });
  const running = steadyTasks(inc, 6, {
    revision: 42,
    deployment: deploymentId,
    imageTag: "v1.42",
    createdAt: inc.at("2026-11-25T08:41:40Z"),
  });
  // Application Auto Scaling scaled the service in from 8 to 6 at 09:12:29.
  const scaleInAt = inc.at("09:12:29");
  const scaledIn = [6, 7].map((i) =>
    fargateTask(inc, {
      key: `steady-${i}`,
      revision: 42,
      deployment: deploymentId,
      createdAt: inc.at(`2026-11-28T07:4${i}:1${i}Z`),
      subnet: PRIVATE_SUBNETS[i % 2]!,
      imageTag: "v1.42",
      ...healthyLife,
      stop: {
        at: plus(scaleInAt, 39 + (i - 6)),
        code: "ServiceSchedulerInitiated",
        reason: `Scaling activity initiated by (deployment ${deploymentId})`,
        exitCode: 0,
        stoppingFor: 37,
      },
    }),
  );
  const tasks = [...running, ...scaledIn];

  const events = new Events(inc);
  olderSteadyStates(events, inc.at("03:41:09"));
  events.deregistered(plus(scaleInAt, 1), 2).draining(plus(scaleInAt, 1), 2);
  events.stopped(plus(scaledIn[1]!.stoppedAt!, 1), scaledIn);
  events.steadyState(inc.at("09:18:44"));

  const shutdown = (task: Task) =>
    logLines(task.stoppingAt!, [
      [-61, `INFO  POST /v1/payments 201 36 ms`],
      [-12, `INFO  GET /v1/payments/pi_3QnExample${taskIdOf(task).slice(0, 6)} 200 9 ms`],
      [0.2, "INFO  SIGTERM received, closing server"],
      [1.1, "INFO  drained 3 in-flight requests"],
      [1.3, "INFO  server closed, exiting"],
    ]);
  const retryLine = logLines(inc.at("09:21:07"), [
    [0, "ERROR upstream fraud-check responded 503 (attempt 1/3), retrying in 200 ms"],
    [0.3, "INFO  upstream fraud-check responded 200 (attempt 2/3)"],
  ]);

  const rev42 = serviceRevision(inc, {
    key: "42",
    revision: 42,
    imageTag: "v1.42",
    createdAt: inc.at("2026-11-25T08:41:02Z"),
  });
  return {
    name: inc.name,
    description:
      "Nothing is wrong: payment-api :42 has run 6 tasks since 25 November, all targets are healthy and metrics are ordinary. The only stopped tasks are two that Application Auto Scaling scaled in at 09:12.",
    primary: {
      symptom: "normal",
      finding:
        "payment-api is at steady state with 6/6 targets healthy; the two stopped tasks are an Application Auto Scaling scale-in (8 → 6), not failures.",
    },
    clock: inc.now,
    window: inc.window(),
    service: ecsService({
      desiredCount: 6,
      revision: 42,
      tasks,
      events: events.list,
      deployments: [
        {
          id: deploymentId,
          status: "PRIMARY",
          revision: 42,
          desiredCount: 6,
          createdAt: inc.at("2026-11-25T08:41:02Z"),
          updatedAt: scaleInAt,
          rolloutState: "COMPLETED",
        },
      ],
    }),
    aws: baseWorld({
      taskDefinitions: [
        td42,
        taskDefinition({ revision: 41, registeredAt: "2026-11-06T15:20:03.551Z", imageTag: "v1.41" }),
      ],
      tasks,
      serviceRevisions: [rev42],
      serviceDeployments: [
        serviceDeployment(inc, {
          key: "42",
          createdAt: inc.at("2026-11-25T08:41:02Z"),
          finishedAt: inc.at("2026-11-25T08:48:26Z"),
          status: "SUCCESSFUL",
          target: { revision: rev42, requested: 8, running: 8 },
          circuitBreaker: { status: "MONITORING_COMPLETE", failureCount: 0, threshold: 4 },
        }),
      ],
      targetHealth: { [TARGET_GROUP_ARN]: running.map((t) => target(t, 8080, HEALTHY)) },
      logGroups: {
        [LOG_GROUP]: {
          ...Object.fromEntries(scaledIn.map((t) => [streamOf(t), shutdown(t)])),
          [streamOf(running[2]!)]: retryLine,
        },
      },
      cloudTrail: [
        trail(inc, {
          key: "scale-in",
          eventName: "UpdateService",
          eventSource: "ecs.amazonaws.com",
          at: scaleInAt,
          actor: APP_AUTOSCALING,
          requestParameters: { cluster: CLUSTER, service: SERVICE, desiredCount: 6 },
          responseElements: { service: { serviceArn: SERVICE_ARN, serviceName: SERVICE, desiredCount: 6 } },
          resources: [{ ResourceType: "AWS::ECS::Service", ResourceName: SERVICE }],
        }),
      ],
      metrics: (series, m) => {
        const afterScaleIn = m <= 18;
        return quietMetrics(inc, { cpu: afterScaleIn ? 39 : 31, mem: 48, rpt: afterScaleIn ? 301 : 232, p95: 0.081 })(
          series,
          m,
        );
      },
    }),
  };
}

// ═════════════════════════════════════════════════════════════════════════════════════════════════
// 9. Fargate Spot interruption
// ═════════════════════════════════════════════════════════════════════════════════════════════════

function fargateSpotInterruption(): Scenario {
  const inc = new Incident("fargate-spot-interruption", "2026-11-22T03:15:00Z");
  const deploymentId = inc.deploymentId("v1.42");
  const strategy: CapacityProviderStrategyItem[] = [
    { capacityProvider: "FARGATE", weight: 1, base: 2 },
    { capacityProvider: "FARGATE_SPOT", weight: 3, base: 0 },
  ];
  const td42 = taskDefinition({ revision: 42, registeredAt: "2026-11-19T14:09:31.402Z", imageTag: "v1.42" });
  const launched = inc.at("2026-11-20T11:30:05Z");
  const onDemand = steadyTasks(inc, 3, {
    revision: 42,
    deployment: deploymentId,
    imageTag: "v1.42",
    createdAt: launched,
    prefix: "fargate",
    capacityProvider: "FARGATE",
  });
  const survivor = fargateTask(inc, {
    key: "spot-a",
    revision: 42,
    deployment: deploymentId,
    createdAt: plus(launched, 12),
    subnet: PRIVATE_SUBNETS[0]!,
    imageTag: "v1.42",
    capacityProvider: "FARGATE_SPOT",
    ...healthyLife,
  });
  // At 02:50:10 the two-minute interruption warning arrived: ECS deregistered the tasks and sent SIGTERM.
  const interruptedAt = inc.at("02:50:10");
  const interrupted = [0, 1, 2, 3].map((i) =>
    fargateTask(inc, {
      key: `spot-b${i}`,
      revision: 42,
      deployment: deploymentId,
      createdAt: plus(launched, 14 + i),
      subnet: PRIVATE_SUBNETS[1]!,
      imageTag: "v1.42",
      capacityProvider: "FARGATE_SPOT",
      ...healthyLife,
      stop: {
        at: plus(interruptedAt, 41 + i),
        code: "SpotInterruption",
        reason: "Your Spot Task was interrupted.",
        exitCode: 143,
        stoppingFor: 41 + i,
      },
    }),
  );
  const replacements = [
    ...[0, 1].map((i) =>
      fargateTask(inc, {
        key: `spot-r${i}`,
        revision: 42,
        deployment: deploymentId,
        createdAt: plus(interruptedAt, 5 + i),
        subnet: PRIVATE_SUBNETS[0]!,
        imageTag: "v1.42",
        capacityProvider: "FARGATE_SPOT",
        ...healthyLife,
      }),
    ),
    ...[2, 3].map((i) =>
      fargateTask(inc, {
        key: `spot-r${i}`,
        revision: 42,
        deployment: deploymentId,
        createdAt: plus(inc.at("02:55:40"), i - 2),
        subnet: PRIVATE_SUBNETS[i % 2]!,
        imageTag: "v1.42",
        capacityProvider: "FARGATE_SPOT",
        ...healthyLife,
      }),
    ),
  ];
  const tasks = [...onDemand, survivor, ...interrupted, ...replacements];

  const events = new Events(inc);
  olderSteadyStates(events, inc.at("2026-11-21T23:34:18Z"));
  events.deregistered(plus(interruptedAt, 1), 4);
  events.started(plus(interruptedAt, 6), replacements.slice(0, 2));
  events.unableToPlace(
    plus(interruptedAt, 7),
    "Capacity is unavailable at this time. Please try again later or in a different availability zone.",
  );
  events.registered(plus(replacements[1]!.startedAt!, 3), 2);
  events.started(inc.at("02:55:42"), replacements.slice(2));
  events.registered(plus(replacements[3]!.startedAt!, 3), 2);
  events.steadyState(inc.at("02:58:31"));

  // The app has no SIGTERM handler: its last lines are ordinary requests, then exit 143.
  const lastRequests = (task: Task) =>
    logLines(interruptedAt, [
      [-58, "INFO  POST /v1/payments 201 42 ms"],
      [-21, "INFO  POST /v1/payments 201 39 ms"],
      [-1.4, `INFO  GET /v1/payments/pi_3QoExample${taskIdOf(task).slice(0, 6)} 200 10 ms`],
    ]);
  const streams: Record<string, OutputLogEvent[]> = Object.fromEntries(
    interrupted.map((t) => [streamOf(t), lastRequests(t)]),
  );
  streams[streamOf(onDemand[0]!)] = logLines(interruptedAt, [
    [0.8, "ERROR ledger-api request aborted: socket hang up (POST /internal/ledger/entries)"],
    [1.6, "ERROR ledger-api request aborted: socket hang up (POST /internal/ledger/entries)"],
  ]);

  const minutesAgoOf = (time: string) => minutesBetween(inc.at(time), new Date(inc.nowMs));
  const [hit, recovered] = [minutesAgoOf("02:50:00"), minutesAgoOf("02:57:00")];
  const rev42 = serviceRevision(inc, {
    key: "42",
    revision: 42,
    imageTag: "v1.42",
    createdAt: inc.at("2026-11-20T11:29:48Z"),
  });
  return {
    name: inc.name,
    description:
      "Fargate Spot reclaimed the four payment-api Spot tasks in us-east-1b at 02:50 UTC. Two replacements started at once; the other two waited until 02:55 because Spot capacity was unavailable. Target 5xx spiked for two minutes; the service is back at 8/8.",
    primary: {
      symptom: "spot_interruption",
      finding:
        "Four FARGATE_SPOT tasks were interrupted at 02:50 (“Your Spot Task was interrupted.”), causing a two-minute 5xx spike; the service recovered by 02:58 — consider a larger FARGATE base for payment traffic.",
    },
    clock: inc.now,
    window: inc.window(),
    service: ecsService({
      desiredCount: 8,
      revision: 42,
      capacityProviderStrategy: strategy,
      tasks,
      events: events.list,
      deployments: [
        {
          id: deploymentId,
          status: "PRIMARY",
          revision: 42,
          desiredCount: 8,
          createdAt: inc.at("2026-11-20T11:29:48Z"),
          updatedAt: inc.at("02:58:31"),
          rolloutState: "COMPLETED",
          capacityProviderStrategy: strategy,
        },
      ],
    }),
    aws: baseWorld({
      taskDefinitions: [
        td42,
        taskDefinition({ revision: 41, registeredAt: "2026-11-06T15:20:03.551Z", imageTag: "v1.41" }),
      ],
      tasks,
      serviceRevisions: [rev42],
      serviceDeployments: [
        serviceDeployment(inc, {
          key: "42",
          createdAt: inc.at("2026-11-20T11:29:48Z"),
          finishedAt: inc.at("2026-11-20T11:37:15Z"),
          status: "SUCCESSFUL",
          target: { revision: rev42, requested: 8, running: 8 },
          circuitBreaker: { status: "MONITORING_COMPLETE", failureCount: 0, threshold: 4 },
        }),
      ],
      targetHealth: {
        [TARGET_GROUP_ARN]: [...onDemand, survivor, ...replacements].map((t) => target(t, 8080, HEALTHY)),
      },
      logGroups: { [LOG_GROUP]: streams },
      metrics: (series, m) => {
        const degraded = m <= hit && m > recovered; // four of eight targets gone
        const spike = m <= hit && m > hit - 2;
        switch (series) {
          case "cpu_avg":
            return round(jitter(inc, series, m, degraded ? 56 : 29, 3), 2);
          case "cpu_max":
            return round(jitter(inc, series, m, degraded ? 71 : 38, 4), 2);
          case "5xx":
            return spike ? (m === hit ? 42 : 17) : undefined;
          case "p95":
            return round(spike ? 0.61 : jitter(inc, series, m, degraded ? 0.19 : 0.084, 0.01), 3);
          case "rpt":
            return Math.round(jitter(inc, series, m, degraded ? 262 : 141, 10));
          default:
            return quietMetrics(inc, { cpu: 29, mem: 46, rpt: 141, p95: 0.084 })(series, m);
        }
      },
    }),
  };
}

// ═════════════════════════════════════════════════════════════════════════════════════════════════
// 10. Healthy but saturated: the emergency-scale case
// ═════════════════════════════════════════════════════════════════════════════════════════════════

function saturatedHealthy(): Scenario {
  const inc = new Incident("saturated-healthy", "2026-11-27T19:30:00Z");
  const deploymentId = inc.deploymentId("v1.42");
  const td42 = taskDefinition({ revision: 42, registeredAt: "2026-11-25T08:40:12.550Z", imageTag: "v1.42" });
  const running = steadyTasks(inc, 6, {
    revision: 42,
    deployment: deploymentId,
    imageTag: "v1.42",
    createdAt: inc.at("2026-11-25T08:41:40Z"),
  });

  const events = new Events(inc);
  olderSteadyStates(events, inc.at("14:02:10"), 6);

  // Black Friday evening: load per task doubles over the hour; CPU saturates, p95 climbs, the app starts shedding.
  const ramp = (m: number) => clamp((60 - m) / 55, 0, 1); // 0 at 18:30, 1 by 19:25
  const streams = Object.fromEntries(
    running.map((t, i) => [
      streamOf(t),
      logLines(inc.at("19:20:00"), [
        [11 + i, `WARN  event loop lag ${380 + 17 * i} ms`],
        [97 + i, "INFO  POST /v1/payments 201 1184 ms"],
        [263 + i, "ERROR load shedding: 256 requests in flight (limit 256), answering 503"],
        [412 + i, `WARN  event loop lag ${455 + 11 * i} ms`],
        [541 + i, "ERROR load shedding: 256 requests in flight (limit 256), answering 503"],
      ]),
    ]),
  );

  const rev42 = serviceRevision(inc, {
    key: "42",
    revision: 42,
    imageTag: "v1.42",
    createdAt: inc.at("2026-11-25T08:41:02Z"),
  });
  return {
    name: inc.name,
    description:
      "Black Friday evening: all six payment-api tasks are healthy, but requests per target doubled over the hour, average CPU reached 92 % and p95 latency went from 0.16 s to about 1.4 s; the app has started shedding load with 503s. Subnets have plenty of free IPs: this is the emergency scale-out case.",
    primary: {
      symptom: "other",
      finding:
        "Saturation (symptom other, cause saturation; verdict degraded, emergency-scale proposed): nothing failed, but the service is out of capacity: CPU 92 % average, requests per target doubled, p95 ≈ 1.4 s and target 5xx rising — scale out now (subnets have 459 free IPs).",
    },
    clock: inc.now,
    window: inc.window(),
    service: ecsService({
      desiredCount: 6,
      revision: 42,
      tasks: running,
      events: events.list,
      deployments: [
        {
          id: deploymentId,
          status: "PRIMARY",
          revision: 42,
          desiredCount: 6,
          createdAt: inc.at("2026-11-25T08:41:02Z"),
          updatedAt: inc.at("2026-11-25T08:48:26Z"),
          rolloutState: "COMPLETED",
        },
      ],
    }),
    aws: baseWorld({
      taskDefinitions: [
        td42,
        taskDefinition({ revision: 41, registeredAt: "2026-11-06T15:20:03.551Z", imageTag: "v1.41" }),
      ],
      tasks: running,
      serviceRevisions: [rev42],
      serviceDeployments: [
        serviceDeployment(inc, {
          key: "42",
          createdAt: inc.at("2026-11-25T08:41:02Z"),
          finishedAt: inc.at("2026-11-25T08:48:26Z"),
          status: "SUCCESSFUL",
          target: { revision: rev42, requested: 6, running: 6 },
          circuitBreaker: { status: "MONITORING_COMPLETE", failureCount: 0, threshold: 3 },
        }),
      ],
      targetHealth: { [TARGET_GROUP_ARN]: running.map((t) => target(t, 8080, HEALTHY)) },
      logGroups: { [LOG_GROUP]: streams },
      metrics: (series, m) => {
        const r = ramp(m);
        const hot = clamp((r - 0.7) / 0.3, 0, 1); // the last stretch, past ~85 % CPU
        switch (series) {
          case "cpu_avg":
            return round(clamp(jitter(inc, series, m, 48 + 44 * r, 1.5), 0, 99), 2);
          case "cpu_max":
            return round(clamp(jitter(inc, series, m, 57 + 42 * r, 1.2), 0, 99.9), 2);
          case "mem_avg":
            return round(jitter(inc, series, m, 58 + 4 * r, 0.5), 2);
          case "mem_max":
            return round(jitter(inc, series, m, 61 + 5 * r, 0.6), 2);
          case "rpt":
            return Math.round(jitter(inc, series, m, 950 + 950 * r, 25));
          case "p95":
            return round(jitter(inc, series, m, 0.16 + 0.25 * r + 1.0 * hot * hot, 0.02), 3);
          case "5xx":
            return hot > 0.45 ? Math.round(jitter(inc, series, m, 28 * hot, 3)) : undefined;
        }
      },
    }),
  };
}

/** Every example, in the order `examples/README.md` lists them. */
export const SCENARIOS: readonly Scenario[] = [
  oomAfterDeploy(),
  imageTagMissing(),
  secretAccessDenied(),
  subnetIpExhaustion(),
  elbHealthCheckWrongPath(),
  portMismatch(),
  circuitBreakerRollback(),
  healthy(),
  fargateSpotInterruption(),
  saturatedHealthy(),
];
