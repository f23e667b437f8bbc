import type {
  ContainerDefinition as SdkContainerDefinition,
  DeploymentConfiguration as SdkDeploymentConfiguration,
  Service as SdkService,
  Task as SdkTask,
  TaskDefinition as SdkTaskDefinition,
} from "@aws-sdk/client-ecs";
import type { TargetGroup as SdkTargetGroup } from "@aws-sdk/client-elastic-load-balancing-v2";
import { redact } from "../evidence/redact";
import type { ContainerDefinition, Service, Task, TargetGroup, TaskDefinition } from "../evidence/schema";
import { iso } from "../time-window";

/**
 * SDK responses → snapshot shapes. Field names are kept; Dates become ISO strings; absent optional fields stay
 * absent (never invented defaults), so a diagnosis can tell "AWS said 0" from "AWS said nothing".
 */

/** Drops undefined-valued keys so snapshots stay small and `toEqual` comparisons stay honest. */
export function compact<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export function isoOrUndefined(date: Date | undefined): string | undefined {
  return date ? iso(date) : undefined;
}

export function toService(s: SdkService): Service {
  const awsvpc = s.networkConfiguration?.awsvpcConfiguration;
  const dc = s.deploymentConfiguration;
  return compact({
    serviceName: s.serviceName ?? "",
    serviceArn: s.serviceArn ?? "",
    clusterArn: s.clusterArn ?? "",
    status: s.status,
    desiredCount: s.desiredCount ?? 0,
    runningCount: s.runningCount ?? 0,
    pendingCount: s.pendingCount ?? 0,
    launchType: s.launchType,
    capacityProviderStrategy: (s.capacityProviderStrategy ?? []).map((c) =>
      compact({ capacityProvider: c.capacityProvider ?? "", weight: c.weight, base: c.base }),
    ),
    platformVersion: s.platformVersion,
    taskDefinition: s.taskDefinition,
    createdAt: isoOrUndefined(s.createdAt),
    createdBy: s.createdBy,
    schedulingStrategy: s.schedulingStrategy,
    deploymentController: s.deploymentController?.type,
    healthCheckGracePeriodSeconds: s.healthCheckGracePeriodSeconds,
    network: awsvpc
      ? compact({
          subnets: awsvpc.subnets ?? [],
          securityGroups: awsvpc.securityGroups ?? [],
          assignPublicIp: awsvpc.assignPublicIp,
        })
      : undefined,
    loadBalancers: (s.loadBalancers ?? []).map((lb) =>
      compact({
        targetGroupArn: lb.targetGroupArn,
        loadBalancerName: lb.loadBalancerName,
        containerName: lb.containerName,
        containerPort: lb.containerPort,
      }),
    ),
    deploymentConfiguration: dc
      ? compact({
          minimumHealthyPercent: dc.minimumHealthyPercent,
          maximumPercent: dc.maximumPercent,
          circuitBreaker: toCircuitBreaker(dc),
          alarms: toAlarms(dc),
          strategy: dc.strategy,
        })
      : undefined,
  });
}

type DeploymentConfiguration = NonNullable<Service["deploymentConfiguration"]>;

/** The deployment circuit breaker as configured; `enable`/`rollback` absent mean off, as ECS treats them. */
export function toCircuitBreaker(
  dc: SdkDeploymentConfiguration | undefined,
): DeploymentConfiguration["circuitBreaker"] {
  const cb = dc?.deploymentCircuitBreaker;
  return cb ? { enable: cb.enable ?? false, rollback: cb.rollback ?? false } : undefined;
}

/** The CloudWatch alarms a deployment watches, as configured. */
export function toAlarms(dc: SdkDeploymentConfiguration | undefined): DeploymentConfiguration["alarms"] {
  const alarms = dc?.alarms;
  return alarms
    ? { alarmNames: alarms.alarmNames ?? [], enable: alarms.enable ?? false, rollback: alarms.rollback ?? false }
    : undefined;
}

export function toTask(t: SdkTask): Task {
  const eni = t.attachments?.find((a) => a.type === "ElasticNetworkInterface");
  const detail = (name: string) => eni?.details?.find((d) => d.name === name)?.value;
  return compact({
    taskArn: t.taskArn ?? "",
    taskDefinitionArn: t.taskDefinitionArn,
    group: t.group,
    startedBy: t.startedBy,
    lastStatus: t.lastStatus,
    desiredStatus: t.desiredStatus,
    healthStatus: t.healthStatus,
    launchType: t.launchType,
    capacityProviderName: t.capacityProviderName,
    platformVersion: t.platformVersion,
    availabilityZone: t.availabilityZone,
    createdAt: isoOrUndefined(t.createdAt),
    pullStartedAt: isoOrUndefined(t.pullStartedAt),
    pullStoppedAt: isoOrUndefined(t.pullStoppedAt),
    startedAt: isoOrUndefined(t.startedAt),
    stoppingAt: isoOrUndefined(t.stoppingAt),
    stoppedAt: isoOrUndefined(t.stoppedAt),
    stopCode: t.stopCode,
    stoppedReason: t.stoppedReason,
    subnetId: detail("subnetId"),
    privateIPv4Address: detail("privateIPv4Address"),
    containers: (t.containers ?? []).map((c) =>
      compact({
        name: c.name ?? "",
        image: c.image,
        imageDigest: c.imageDigest,
        runtimeId: c.runtimeId,
        lastStatus: c.lastStatus,
        exitCode: c.exitCode,
        reason: c.reason,
        healthStatus: c.healthStatus,
      }),
    ),
  });
}

function toContainerDefinition(c: SdkContainerDefinition): ContainerDefinition {
  const hc = c.healthCheck;
  return compact({
    name: c.name ?? "",
    image: c.image ?? "",
    // ECS treats a container with no `essential` field as essential.
    essential: c.essential ?? true,
    cpu: c.cpu,
    memory: c.memory,
    memoryReservation: c.memoryReservation,
    portMappings: (c.portMappings ?? []).map((p) =>
      compact({ containerPort: p.containerPort, hostPort: p.hostPort, protocol: p.protocol, name: p.name }),
    ),
    logConfiguration: c.logConfiguration?.logDriver
      ? { logDriver: c.logConfiguration.logDriver, options: redactLogOptions(c.logConfiguration.options ?? {}) }
      : undefined,
    secrets: (c.secrets ?? []).map((s) => ({ name: s.name ?? "", valueFrom: s.valueFrom ?? "" })),
    environmentNames: (c.environment ?? []).map((e) => e.name ?? "").filter(Boolean),
    environmentFiles: (c.environmentFiles ?? []).map((f) => ({ type: f.type ?? "s3", value: f.value ?? "" })),
    repositoryCredentialsParameter: c.repositoryCredentials?.credentialsParameter,
    healthCheck: hc
      ? compact({
          command: (hc.command ?? []).map(redact),
          interval: hc.interval,
          timeout: hc.timeout,
          retries: hc.retries,
          startPeriod: hc.startPeriod,
        })
      : undefined,
  });
}

/**
 * Log-driver option names that hold credentials: `splunk-token`, FireLens `Http_Passwd`, Datadog `apikey`,
 * `api_key`, New Relic `licenseKey`, `secret`, `password`, and plain `key` names (`tls.key`).
 */
const SENSITIVE_OPTION =
  /token|api[_.-]?key|passw(?:or)?d|pwd|secret|credential|licen[cs]e[_.-]?key|private[_.-]?key|access[_.-]?key|authorization|(?:^|[_.-])key$/i;
/**
 * The awslogs options step 5 reads logs with: resource names, never credentials, and they must stay exact
 * (`redact` could take a 40-character mixed-case log group name for an AWS secret key).
 */
const AWSLOGS_LOCATION = new Set(["awslogs-group", "awslogs-region", "awslogs-stream-prefix"]);

/**
 * logConfiguration.options, safe to store: a value under a credential-like name becomes `[REDACTED:secret]`,
 * any other goes through `redact` (a token pasted into an endpoint URL or a header option).
 */
export function redactLogOptions(options: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(options).map(([key, value]) => [
      key,
      SENSITIVE_OPTION.test(key) ? "[REDACTED:secret]" : AWSLOGS_LOCATION.has(key) ? value : redact(value),
    ]),
  );
}

export function toTaskDefinition(td: SdkTaskDefinition, role: TaskDefinition["role"]): TaskDefinition {
  return compact({
    taskDefinitionArn: td.taskDefinitionArn ?? "",
    family: td.family ?? "",
    revision: td.revision ?? 0,
    role,
    status: td.status,
    registeredAt: isoOrUndefined(td.registeredAt),
    registeredBy: td.registeredBy,
    executionRoleArn: td.executionRoleArn,
    taskRoleArn: td.taskRoleArn,
    networkMode: td.networkMode,
    cpu: td.cpu,
    memory: td.memory,
    requiresCompatibilities: td.requiresCompatibilities ?? [],
    runtimePlatform: td.runtimePlatform
      ? compact({
          cpuArchitecture: td.runtimePlatform.cpuArchitecture,
          operatingSystemFamily: td.runtimePlatform.operatingSystemFamily,
        })
      : undefined,
    containers: (td.containerDefinitions ?? []).map(toContainerDefinition),
  });
}

export function toTargetGroup(tg: SdkTargetGroup): TargetGroup {
  return compact({
    targetGroupArn: tg.TargetGroupArn ?? "",
    targetGroupName: tg.TargetGroupName,
    protocol: tg.Protocol,
    port: tg.Port,
    vpcId: tg.VpcId,
    targetType: tg.TargetType,
    loadBalancerArns: tg.LoadBalancerArns ?? [],
    healthCheck: compact({
      enabled: tg.HealthCheckEnabled,
      protocol: tg.HealthCheckProtocol,
      port: tg.HealthCheckPort,
      path: tg.HealthCheckPath,
      matcher: tg.Matcher ? compact({ httpCode: tg.Matcher.HttpCode, grpcCode: tg.Matcher.GrpcCode }) : undefined,
      intervalSeconds: tg.HealthCheckIntervalSeconds,
      timeoutSeconds: tg.HealthCheckTimeoutSeconds,
      healthyThresholdCount: tg.HealthyThresholdCount,
      unhealthyThresholdCount: tg.UnhealthyThresholdCount,
    }),
  });
}
